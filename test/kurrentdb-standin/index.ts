/**
 * A test-only, in-memory stand-in for a single insecure KurrentDB / EventStoreDB node, speaking
 * the gRPC protocol of the service definitions @eventstore/db-client ships (generated/), so the
 * KurrentDB adapter can be tested through the real driver without Docker or a network.
 *
 * What it serves: ServerFeatures.GetSupportedMethods; Streams.Append; Streams.BatchAppend (the
 * driver's path whenever the server lists it, as every server since 21.10 does); Streams.Read
 * of a stream and of $all, forwards and backwards, from a revision/position/start/end, with or
 * without a filter; Streams.Read as a subscription to $all, with or without a filter.
 *
 * Where it may differ from a real server (checked against kurrent-io/KurrentDB's sources:
 * Streams.Append/BatchAppend/Read.cs, Enumerator.*, AllReader.cs, RpcExceptions.cs):
 *
 * - Storage and positions. One in-memory log, gone on stop(). Positions are synthetic offsets
 *   (record size = 96 + stream, type, data and metadata bytes; the first event at 128), not the
 *   server's byte-exact layout, chunks or 256 MiB chunk boundaries. As on the server, commit =
 *   prepare for every event, reads from the middle of a record fail with INVALID_ARGUMENT, and
 *   reading $all backwards from an event's position excludes that event.
 * - System events. A fresh server has a few `$` events ($users, $settings…) and writes more over
 *   time ($stats every 30 s by default, `$metadata`, `$>` links with projections on). The stand-in
 *   writes three at start and more only when a test calls appendSystemEvent().
 * - Idempotent appends. A retry with the same event ids right after the expected revision (or on
 *   no_stream) succeeds again without writing, as on the server; so does one with `any` (or
 *   `stream_exists`) whose first event id the stream already holds, as the server does from its
 *   cache of recent writes (the stand-in's "cache" is the whole log: it never forgets). Ids
 *   repeated only in part, or at another place, are a wrong expected version (the server's
 *   CorruptedIdempotency). The same id in another stream is written, as on the server.
 * - Server version: 24.10.0 unless a test asks for another (`serverVersion`).
 * - Not served: Delete, Tombstone (UNIMPLEMENTED), stream metadata ($$stream) semantics, soft
 *   or hard deleted streams, subscriptions to a single stream, persistent subscriptions,
 *   projections, users, operations, Gossip/cluster discovery (esdb+discover:// will not work),
 *   TLS and authentication (insecure only; credentials are ignored), link resolution
 *   (resolve_links is ignored: there are no links), the `control_option` compatibility replies
 *   (first/last stream position), `requires-leader`, deadlines sent in BatchAppend options,
 *   `fell_behind` (the subscription cursor never drops events, it waits for the client).
 * - Checkpoints of filtered subscriptions come every `window × multiplier` records looked at
 *   (window 32 unless the client sets max_search_window), one at the end of catch-up and none
 *   otherwise; the server's come at page boundaries of its reads, so their exact positions differ.
 * - caught_up carries no timestamp or position: the driver's generated classes predate them.
 * - Errors carry the server's status codes and `exception` trailers where the driver reads them
 *   (wrong expected version, missing metadata, maximum append size 1 MiB); messages differ.
 * - stop() is a crash, not a graceful shutdown: open calls fail with UNAVAILABLE.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import featuresGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import featuresPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import type { IServerFeaturesServer } from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import { randomUUID } from 'node:crypto';
import { InMemoryLog, type LogRecord } from './in-memory-log.js';
import { streamsService } from './streams-service.js';
import type streamsPb from '@eventstore/db-client/generated/streams_pb.js';

export interface StandInOptions {
  /**
   * List BatchAppend among the server's features, so the driver appends through it (true, as
   * real servers); false makes the driver fall back to one Append call per append.
   */
  readonly batchAppend?: boolean;
  /** What GetSupportedMethods reports as the server's version (default 24.10.0-standin). */
  readonly serverVersion?: string;
}

export interface StandIn {
  /** `esdb://127.0.0.1:PORT?tls=false` */
  readonly connectionString: string;
  /** `127.0.0.1:PORT`, for a raw gRPC client. */
  readonly address: string;
  /** Writes an event as the server does for itself ($statsCollected in a $stats stream). */
  appendSystemEvent(): LogRecord;
  /** Every Read request received so far (reads and subscriptions), oldest first. */
  readonly reads: readonly streamsPb.ReadReq[];
  /** Fails every open subscription to $all as a server dropping them does; returns how many. */
  dropSubscriptions(): number;
  /** Stops at once, failing calls in flight. */
  stop(): Promise<void>;
}

export async function startStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const log = new InMemoryLog();
  seedSystemEvents(log);
  const requests = { reads: [] as streamsPb.ReadReq[], subscriptions: new Set<() => void>() };
  const server = new Server();
  server.addService(streamsGrpc.StreamsService, streamsService(log, requests));
  const features: IServerFeaturesServer = {
    getSupportedMethods: (_call, callback) => callback(null, supportedMethods(options.batchAppend ?? true, options.serverVersion ?? '24.10.0-standin')),
  };
  server.addService(featuresGrpc.ServerFeaturesService, features);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(error);
      else resolve(bound);
    });
  });
  let stopped = false;
  return {
    connectionString: `esdb://127.0.0.1:${port}?tls=false`,
    address: `127.0.0.1:${port}`,
    appendSystemEvent: () => log.appendSystemEvent(),
    reads: requests.reads,
    dropSubscriptions: () => {
      const open = [...requests.subscriptions];
      for (const drop of open) drop();
      return open.length;
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      server.forceShutdown();
    },
  };
}

function supportedMethods(batchAppend: boolean, version: string): featuresPb.SupportedMethods {
  const methods = ['read', 'append', ...(batchAppend ? ['batchappend'] : [])].map((name) =>
    new featuresPb.SupportedMethod().setServiceName('event_store.client.streams.streams').setMethodName(name));
  return new featuresPb.SupportedMethods().setEventStoreServerVersion(version).setMethodsList(methods);
}

/** What a fresh node holds before anyone writes: its users and settings. */
function seedSystemEvents(log: InMemoryLog): void {
  const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
  const write = (streamId: string, type: string, data: unknown) => log.append(streamId, { kind: 'any' }, [{
    id: randomUUID(), type, contentType: 'application/json', data: json(data), metadata: new Uint8Array(),
  }]);
  write('$user-admin', '$User', { loginName: 'admin', fullName: 'KurrentDB Administrator', groups: ['$admins'] });
  write('$users', '$UserCreated', 'admin');
  write('$settings', '$settings', { $userStreamAcl: { $r: '$all' } });
}
