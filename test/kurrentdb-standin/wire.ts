/**
 * The stand-in's side of the wire format: the message classes the client ships in
 * @eventstore/db-client/generated (int64 fields travel as decimal strings), and the replies and
 * errors shaped as the server shapes them.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import anyPb from 'google-protobuf/google/protobuf/any_pb.js';
import emptyPb from 'google-protobuf/google/protobuf/empty_pb.js';
import type { ExpectedVersion, LogRecord, TfPos } from './in-memory-log.js';

export { streamsPb, sharedPb };

const decoder = new TextDecoder();

/** A gRPC error as the server raises it, with its `exception` trailers when it sets some. */
export class RpcError extends Error implements Partial<ServiceError> {
  readonly metadata: Metadata;
  constructor(readonly code: status, readonly details: string, trailers: Record<string, string> = {}) {
    super(details);
    this.metadata = new Metadata();
    for (const [key, value] of Object.entries(trailers)) this.metadata.set(key, value);
  }
}

export const invalidArgument = (details: string): RpcError => new RpcError(status.INVALID_ARGUMENT, details);

export function streamName(identifier: sharedPb.StreamIdentifier | undefined): string {
  if (!identifier) throw invalidArgument("'streamIdentifier' is a required argument");
  return decoder.decode(identifier.getStreamName_asU8());
}

export function streamIdentifier(name: string): sharedPb.StreamIdentifier {
  return new sharedPb.StreamIdentifier().setStreamName(new TextEncoder().encode(name));
}

/** Accepts both UUID encodings a client may send; the server answers in the one asked for. */
export function uuidString(uuid: sharedPb.UUID | undefined): string {
  if (!uuid) throw invalidArgument('an event id is required');
  if (uuid.hasString()) {
    const text = uuid.getString().toLowerCase();
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(text)) {
      // The server parses ids as GUIDs; what it cannot parse fails the call.
      throw new RpcError(status.UNKNOWN, 'Exception was thrown by handler.');
    }
    return text;
  }
  const structured = uuid.getStructured();
  if (!structured) throw invalidArgument('an event id is required');
  const bytes = new DataView(new ArrayBuffer(16));
  bytes.setBigInt64(0, BigInt(structured.getMostSignificantBits()));
  bytes.setBigInt64(8, BigInt(structured.getLeastSignificantBits()));
  const hex = Buffer.from(bytes.buffer).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function toUuid(id: string, structured: boolean): sharedPb.UUID {
  if (!structured) return new sharedPb.UUID().setString(id);
  const bytes = Buffer.from(id.replaceAll('-', ''), 'hex');
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  return new sharedPb.UUID().setStructured(new sharedPb.UUID.Structured()
    .setMostSignificantBits(view.getBigInt64(0).toString())
    .setLeastSignificantBits(view.getBigInt64(8).toString()));
}

export function readEvent(record: LogRecord, structuredIds: boolean): streamsPb.ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(toUuid(record.id, structuredIds))
    .setStreamIdentifier(streamIdentifier(record.streamId))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(record.position.toString())
    .setPreparePosition(record.position.toString())
    .setData(record.data)
    .setCustomMetadata(record.metadata);
  recorded.getMetadataMap()
    .set('type', record.type)
    .set('content-type', record.contentType)
    .set('created', record.created.toString());
  const event = new streamsPb.ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(record.position.toString());
  return new streamsPb.ReadResp().setEvent(event);
}

export function checkpoint(position: TfPos): streamsPb.ReadResp {
  return new streamsPb.ReadResp().setCheckpoint(new streamsPb.ReadResp.Checkpoint()
    .setCommitPosition(position.commit.toString())
    .setPreparePosition(position.prepare.toString()));
}

export function parseUint64(text: string, what: string): bigint {
  if (!/^\d+$/.test(text)) throw invalidArgument(`'${what}' is not a valid uint64: ${text}`);
  return BigInt(text);
}

/** The detail of a refused write, as the server packs it into a BatchAppend error status. */
export function wrongExpectedVersionDetail(current: bigint, expected: ExpectedVersion): anyPb.Any {
  const detail = new sharedPb.WrongExpectedVersion();
  if (current < 0n) detail.setCurrentNoStream(new emptyPb.Empty());
  else detail.setCurrentStreamRevision(current.toString());
  switch (expected.kind) {
    case 'any': detail.setExpectedAny(new emptyPb.Empty()); break;
    case 'no_stream': detail.setExpectedNoStream(new emptyPb.Empty()); break;
    case 'stream_exists': detail.setExpectedStreamExists(new emptyPb.Empty()); break;
    case 'revision': detail.setExpectedStreamPosition(expected.revision.toString()); break;
    default: { const unknown: never = expected; throw new Error(`unknown expectation ${String(unknown)}`); }
  }
  const packed = new anyPb.Any();
  packed.pack(detail.serializeBinary(), 'event_store.client.WrongExpectedVersion');
  return packed;
}

/** The metadata every append requires, as the server checks it. */
export function requiredMetadata(metadata: { get(key: string): string | undefined }): { type: string; contentType: string } {
  const type = metadata.get('type');
  const contentType = metadata.get('content-type');
  for (const [key, value] of [['type', type], ['content-type', contentType]] as const) {
    if (value === undefined) {
      throw new RpcError(status.INVALID_ARGUMENT, `Required Metadata Property '${key}' is missing`, {
        exception: 'missing-required-metadata-property',
        'required-metadata-properties': 'type,content-type',
      });
    }
  }
  return { type: type ?? '', contentType: contentType ?? '' };
}
