/**
 * The stand-in's event_store.client.streams.Streams service: Read (streams and $all, forwards
 * and backwards, and subscriptions to $all), Append and BatchAppend, answering as the server does.
 */
import { status, type sendUnaryData, type ServerDuplexStream, type ServerReadableStream, type ServerWritableStream } from '@grpc/grpc-js';
import type { IStreamsServer } from '@eventstore/db-client/generated/streams_grpc_pb.js';
import codePb from '@eventstore/db-client/generated/code_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import { serveAllSubscription, type DropSubscription, type LogFilter } from './all-subscription.js';
import type { AppendOutcome, ExpectedVersion, InMemoryLog, LogRecord, ProposedEvent, TfPos } from './in-memory-log.js';
import {
  RpcError,
  invalidArgument,
  parseUint64,
  readEvent,
  requiredMetadata,
  sharedPb,
  streamIdentifier,
  streamName,
  streamsPb,
  uuidString,
  wrongExpectedVersionDetail,
} from './wire.js';

/** What a real server allows in one append by default (MaxAppendSize, 1 MiB). */
const MAX_APPEND_SIZE = 1024 * 1024;
/** The server's default page of a filtered read, which is also the default checkpoint interval. */
const DEFAULT_SEARCH_WINDOW = 32;

type ReadCall = ServerWritableStream<streamsPb.ReadReq, streamsPb.ReadResp>;
type Options = streamsPb.ReadReq.Options;
const { StreamOptionCase, CountOptionCase, FilterOptionCase, ReadDirection } = streamsPb.ReadReq.Options;

export interface StreamsRequestLog {
  /** Every Read request received, for tests that check what the client asked. */
  readonly reads: streamsPb.ReadReq[];
  /** Subscriptions open now, each as the way to drop it. */
  readonly subscriptions: Set<DropSubscription>;
}

export function streamsService(log: InMemoryLog, requests: StreamsRequestLog): IStreamsServer {
  return {
    read: (call: ReadCall) => {
      requests.reads.push(call.request);
      try {
        read(log, call, requests.subscriptions);
      } catch (error) {
        call.emit('error', asRpcError(error));
      }
    },
    append: (call, callback) => append(log, call, callback),
    batchAppend: (call) => batchAppend(log, call),
    delete: (_call, callback) => callback(new RpcError(status.UNIMPLEMENTED, 'the stand-in does not delete streams')),
    tombstone: (_call, callback) => callback(new RpcError(status.UNIMPLEMENTED, 'the stand-in does not tombstone streams')),
  };
}

function read(log: InMemoryLog, call: ReadCall, subscriptions: Set<DropSubscription>): void {
  const options = call.request.getOptions();
  const uuidOption = options?.getUuidOption();
  if (!options || !uuidOption) throw invalidArgument("'uuidOption' is a required argument");
  const structuredIds = uuidOption.hasStructured();
  const backwards = options.getReadDirection() === ReadDirection.BACKWARDS;
  const streamCase = options.getStreamOptionCase();
  const countCase = options.getCountOptionCase();
  const filtered = options.getFilterOptionCase() === FilterOptionCase.FILTER;
  const combination = `(${streamCase}, ${countCase}, ${backwards ? 'Backwards' : 'Forwards'}, ${filtered ? 'Filter' : 'NoFilter'})`;

  if (streamCase === StreamOptionCase.STREAM && countCase === CountOptionCase.COUNT && !filtered) {
    const stream = options.getStream();
    const name = streamName(stream?.getStreamIdentifier());
    const from = stream?.hasRevision() ? parseUint64(stream.getRevision(), 'revision') : stream?.hasEnd() ? 'end' : 'start';
    const events = log.stream(name);
    if (!events) {
      call.write(new streamsPb.ReadResp().setStreamNotFound(
        new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name))));
      call.end();
      return;
    }
    writeAll(call, readStream(events, from, backwards, count(options)), structuredIds);
    return;
  }
  if (streamCase === StreamOptionCase.ALL && countCase === CountOptionCase.COUNT) {
    const all = options.getAll();
    const from = all?.hasPosition() ? position(all.getPosition()) : all?.hasEnd() ? 'end' : 'start';
    if (typeof from === 'object' && !log.isRecordBoundary(from.commit)) throw invalidArgument('Trying to read from an invalid position.');
    const filter = filtered ? logFilter(options) : undefined;
    writeAll(call, readAll(log, from, backwards, count(options), filter), structuredIds);
    return;
  }
  if (streamCase === StreamOptionCase.ALL && countCase === CountOptionCase.SUBSCRIPTION && !backwards) {
    const all = options.getAll();
    const start = all?.hasPosition() ? position(all.getPosition()) : all?.hasEnd() ? 'end' : 'start';
    serveAllSubscription(log, call, { start, filter: filtered ? logFilter(options) : undefined, structuredIds }, subscriptions);
    return;
  }
  if (streamCase === StreamOptionCase.STREAM && countCase === CountOptionCase.SUBSCRIPTION) {
    throw new RpcError(status.UNIMPLEMENTED, 'the stand-in does not serve subscriptions to a single stream');
  }
  throw invalidArgument(`The combination of ${combination} is invalid.`);
}

function readStream(events: readonly LogRecord[], from: bigint | 'start' | 'end', backwards: boolean, maxCount: bigint): LogRecord[] {
  const limit = maxCount > BigInt(events.length) ? events.length : Number(maxCount);
  const at = (revision: bigint): number => Number(revision > BigInt(events.length) ? BigInt(events.length) : revision);
  if (!backwards) {
    const first = from === 'start' ? 0 : from === 'end' ? events.length : at(from);
    return events.slice(first, first + limit);
  }
  const last = from === 'end' ? events.length - 1 : from === 'start' ? 0 : Math.min(at(from), events.length - 1);
  return events.slice(Math.max(0, last + 1 - limit), last + 1).reverse();
}

/**
 * Forwards from P: events whose (position, position) >= P. Backwards from P: events that end at
 * or before P, as the server reads backwards from post-positions, so the event *at* P is not in.
 */
function readAll(log: InMemoryLog, from: TfPos | 'start' | 'end', backwards: boolean, maxCount: bigint, filter: LogFilter | undefined): LogRecord[] {
  const found: LogRecord[] = [];
  const wanted = (record: LogRecord) => !filter || filter.allows(record);
  if (!backwards) {
    const first = from === 'start' ? 0 : from === 'end' ? log.length : log.firstIndexFrom(from);
    for (let i = first; i < log.length && BigInt(found.length) < maxCount; i++) {
      const record = log.at(i);
      if (record && wanted(record)) found.push(record);
    }
    return found;
  }
  const end = from === 'end' ? log.length : from === 'start' ? 0 : log.endIndexBefore(from);
  for (let i = end - 1; i >= 0 && BigInt(found.length) < maxCount; i--) {
    const record = log.at(i);
    if (record && wanted(record)) found.push(record);
  }
  return found;
}

function writeAll(call: ReadCall, records: readonly LogRecord[], structuredIds: boolean): void {
  // A finished read is small enough here to hand to gRPC's buffer at once.
  for (const record of records) call.write(readEvent(record, structuredIds));
  call.end();
}

function count(options: Options): bigint {
  return parseUint64(options.getCount(), 'count');
}

function position(position: streamsPb.ReadReq.Options.Position | undefined): TfPos {
  if (!position) throw invalidArgument("'position' is a required argument");
  return {
    commit: parseUint64(position.getCommitPosition(), 'commitPosition'),
    prepare: parseUint64(position.getPreparePosition(), 'preparePosition'),
  };
}

function logFilter(options: Options): LogFilter {
  const filter = options.getFilter();
  if (!filter) throw invalidArgument("'filter' is a required argument");
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expression) throw invalidArgument(`'${String(filter.getFilterCase())}' is not a valid filter`);
  const regex = expression.getRegex();
  const prefixes = expression.getPrefixList();
  const matches = regex !== ''
    ? ((pattern: RegExp) => (text: string) => pattern.test(text))(new RegExp(regex))
    : (text: string) => prefixes.some((prefix) => text.startsWith(prefix));
  const window = filter.hasMax() ? filter.getMax() : DEFAULT_SEARCH_WINDOW;
  const multiplier = filter.getCheckpointintervalmultiplier();
  if (multiplier <= 0) throw invalidArgument('CheckpointIntervalMultiplier must be greater than 0.');
  return {
    allows: (record) => matches(onStream ? record.streamId : record.type),
    checkpointInterval: window * multiplier,
  };
}

// --- appends -----------------------------------------------------------------------------

interface PendingWrite {
  readonly streamId: string;
  readonly expected: ExpectedVersion;
  readonly events: ProposedEvent[];
  size: number;
}

function append(
  log: InMemoryLog,
  call: ServerReadableStream<streamsPb.AppendReq, streamsPb.AppendResp>,
  callback: sendUnaryData<streamsPb.AppendResp>,
): void {
  let write: PendingWrite | undefined;
  let failed = false;
  const fail = (error: unknown): void => {
    if (failed) return;
    failed = true;
    callback(asRpcError(error));
  };
  call.on('data', (request: streamsPb.AppendReq) => {
    if (failed) return;
    try {
      if (!write) {
        const options = request.getOptions();
        if (!options) throw new RpcError(status.UNKNOWN, 'Exception was thrown by handler.');
        write = { streamId: streamName(options.getStreamIdentifier()), expected: appendExpected(options), events: [], size: 0 };
        return;
      }
      const message = request.getProposedMessage();
      if (!message) throw new RpcError(status.UNKNOWN, 'Exception was thrown by handler.');
      addEvent(write, message);
    } catch (error) {
      fail(error);
    }
  });
  call.on('error', fail);
  call.on('end', () => {
    if (failed) return;
    if (!write) return fail(new RpcError(status.UNKNOWN, 'Exception was thrown by handler.'));
    const outcome = log.append(write.streamId, write.expected, write.events);
    callback(null, appendResponse(outcome, write.expected));
  });
}

function appendExpected(options: streamsPb.AppendReq.Options): ExpectedVersion {
  if (options.hasRevision()) return { kind: 'revision', revision: parseUint64(options.getRevision(), 'revision') };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  if (options.hasAny()) return { kind: 'any' };
  throw invalidArgument("'0' is not a valid ExpectedStreamRevisionOneofCase");
}

function appendResponse(outcome: AppendOutcome, expected: ExpectedVersion): streamsPb.AppendResp {
  if (outcome.ok) {
    const success = new streamsPb.AppendResp.Success()
      .setCurrentRevision(outcome.lastRevision.toString())
      .setPosition(new streamsPb.AppendResp.Position()
        .setCommitPosition(outcome.position.toString())
        .setPreparePosition(outcome.position.toString()));
    return new streamsPb.AppendResp().setSuccess(success);
  }
  // Both the current fields and the deprecated 20.6.0 ones, as the server fills them.
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
  switch (expected.kind) {
    case 'any': wrong.setExpectedAny(new sharedPb.Empty()).setAny2060(new sharedPb.Empty()); break;
    case 'stream_exists': wrong.setExpectedStreamExists(new sharedPb.Empty()).setStreamExists2060(new sharedPb.Empty()); break;
    case 'no_stream': wrong.setExpectedNoStream(new sharedPb.Empty()); break;
    case 'revision':
      wrong.setExpectedRevision(expected.revision.toString()).setExpectedRevision2060(Number(expected.revision));
      break;
    default: { const unknown: never = expected; throw new Error(`unknown expectation ${String(unknown)}`); }
  }
  if (outcome.current < 0n) wrong.setCurrentNoStream(new sharedPb.Empty()).setNoStream2060(new sharedPb.Empty());
  else wrong.setCurrentRevision(outcome.current.toString()).setCurrentRevision2060(Number(outcome.current));
  return new streamsPb.AppendResp().setWrongExpectedVersion(wrong);
}

function addEvent(write: PendingWrite, message: streamsPb.AppendReq.ProposedMessage | streamsPb.BatchAppendReq.ProposedMessage): void {
  const { type, contentType } = requiredMetadata(message.getMetadataMap());
  const data = message.getData_asU8();
  const metadata = message.getCustomMetadata_asU8();
  write.size += data.length + metadata.length + type.length;
  if (write.size > MAX_APPEND_SIZE) {
    throw new RpcError(status.INVALID_ARGUMENT, `Maximum Append Size of ${MAX_APPEND_SIZE} Exceeded.`, {
      exception: 'maximum-append-size-exceeded',
      'maximum-append-size': String(MAX_APPEND_SIZE),
    });
  }
  write.events.push({ id: uuidString(message.getId()), type, contentType, data, metadata });
}

/**
 * BatchAppend: one long-lived stream of appends, each identified by a correlation id, made of
 * one or more requests of which the last is `is_final`. Each gets one answer on the way back,
 * a success or a google.rpc.Status error whose details say why, as the server answers.
 */
function batchAppend(log: InMemoryLog, call: ServerDuplexStream<streamsPb.BatchAppendReq, streamsPb.BatchAppendResp>): void {
  const pending = new Map<string, PendingWrite>();
  call.on('data', (request: streamsPb.BatchAppendReq) => {
    const correlation = request.getCorrelationId();
    const key = correlation?.getString() ?? '';
    const reply = (build: (response: streamsPb.BatchAppendResp) => void, streamId: string): void => {
      const response = new streamsPb.BatchAppendResp().setStreamIdentifier(streamIdentifier(streamId));
      if (correlation) response.setCorrelationId(correlation);
      build(response);
      call.write(response);
    };
    let write = pending.get(key);
    try {
      const options = request.getOptions();
      if (options) {
        write = { streamId: streamName(options.getStreamIdentifier()), expected: batchExpected(options), events: [], size: 0 };
        pending.set(key, write);
      }
      if (!write) return;
      for (const message of request.getProposedMessagesList()) addEvent(write, message);
    } catch (error) {
      pending.delete(key);
      const failure = asRpcError(error);
      reply((response) => response.setError(new statusPb.Status().setCode(rpcCode(failure.code)).setMessage(failure.details)), write?.streamId ?? '');
      return;
    }
    if (!request.getIsFinal()) return;
    pending.delete(key);
    const done = write;
    const outcome = log.append(done.streamId, done.expected, done.events);
    reply((response) => {
      if (outcome.ok) {
        response.setSuccess(new streamsPb.BatchAppendResp.Success()
          .setCurrentRevision(outcome.lastRevision.toString())
          .setPosition(new sharedPb.AllStreamPosition()
            .setCommitPosition(outcome.position.toString())
            .setPreparePosition(outcome.position.toString())));
      } else {
        response.setError(new statusPb.Status()
          .setCode(codePb.Code.ALREADY_EXISTS)
          .setMessage('WrongExpectedVersion')
          .setDetails(wrongExpectedVersionDetail(outcome.current, done.expected)));
      }
    }, done.streamId);
  });
  call.on('end', () => call.end());
  call.on('error', () => pending.clear());
}

function batchExpected(options: streamsPb.BatchAppendReq.Options): ExpectedVersion {
  if (options.hasStreamPosition()) return { kind: 'revision', revision: parseUint64(options.getStreamPosition(), 'streamPosition') };
  if (options.hasNoStream()) return { kind: 'no_stream' };
  if (options.hasStreamExists()) return { kind: 'stream_exists' };
  if (options.hasAny()) return { kind: 'any' };
  throw invalidArgument("'0' is not a valid ExpectedStreamPositionOneofCase");
}

/** gRPC status codes and google.rpc.Code share their numbers. */
const rpcCodes = new Map(Object.values(codePb.Code)
  .filter((code): code is codePb.Code => typeof code === 'number')
  .map((code) => [Number(code), code]));

function rpcCode(code: status): codePb.Code {
  return rpcCodes.get(code) ?? codePb.Code.UNKNOWN;
}

function asRpcError(error: unknown): RpcError {
  if (error instanceof RpcError) return error;
  return new RpcError(status.UNKNOWN, `Exception was thrown by handler. ${error instanceof Error ? error.message : String(error)}`);
}

