/**
 * The stand-in's own wire behaviour, checked with a raw gRPC client (no driver in between), for
 * the parts the adapter tests cannot see: the fields of its answers, both UUID encodings, the
 * order of a subscription's messages and its checkpoints.
 */
import t from 'tap';
import { randomUUID } from 'node:crypto';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import { startStandIn } from './index.js';
import { sharedPb, streamIdentifier, streamsPb, toUuid, uuidString } from './wire.js';

type Client = streamsGrpc.StreamsClient;
const { ReadDirection } = streamsPb.ReadReq.Options;

function append(client: Client, stream: string, expect: (options: streamsPb.AppendReq.Options) => void, events: Array<{ type: string; id?: sharedPb.UUID }>): Promise<streamsPb.AppendResp> {
  return new Promise((resolve, reject) => {
    const call = client.append((error, response) => (error ? reject(error) : resolve(response)));
    const options = new streamsPb.AppendReq.Options().setStreamIdentifier(streamIdentifier(stream));
    expect(options);
    call.write(new streamsPb.AppendReq().setOptions(options));
    for (const event of events) {
      const message = new streamsPb.AppendReq.ProposedMessage()
        .setId(event.id ?? toUuid(randomUUID(), false))
        .setData(new TextEncoder().encode('{}'));
      message.getMetadataMap().set('type', event.type).set('content-type', 'application/json');
      call.write(new streamsPb.AppendReq().setProposedMessage(message));
    }
    call.end();
  });
}

function readOptions(configure: (options: streamsPb.ReadReq.Options) => void, structured = false): streamsPb.ReadReq {
  const options = new streamsPb.ReadReq.Options()
    .setUuidOption(structured
      ? new streamsPb.ReadReq.Options.UUIDOption().setStructured(new sharedPb.Empty())
      : new streamsPb.ReadReq.Options.UUIDOption().setString(new sharedPb.Empty()))
    .setNoFilter(new sharedPb.Empty())
    .setCount('1000');
  configure(options);
  return new streamsPb.ReadReq().setOptions(options);
}

function read(client: Client, request: streamsPb.ReadReq): Promise<streamsPb.ReadResp[]> {
  return new Promise((resolve, reject) => {
    const responses: streamsPb.ReadResp[] = [];
    client.read(request)
      .on('data', (response: streamsPb.ReadResp) => responses.push(response))
      .on('error', reject)
      .on('end', () => resolve(responses));
  });
}

function allFrom(position: bigint): streamsPb.ReadReq.Options.AllOptions {
  return new streamsPb.ReadReq.Options.AllOptions().setPosition(new streamsPb.ReadReq.Options.Position()
    .setCommitPosition(position.toString()).setPreparePosition(position.toString()));
}

const positions = (responses: streamsPb.ReadResp[]) => responses.map((r) => r.getEvent()?.getEvent()?.getCommitPosition());

t.test('the stand-in on the wire', async (t) => {
  const standIn = await startStandIn();
  const client = new streamsGrpc.StreamsClient(standIn.address, credentials.createInsecure());
  t.teardown(async () => {
    client.close();
    await standIn.stop();
  });

  t.test('a refused append names the current and expected revision, in the new and 20.6.0 fields', async (t) => {
    const stream = `s-${randomUUID()}`;
    await append(client, stream, (o) => o.setNoStream(new sharedPb.Empty()), [{ type: 'A' }, { type: 'B' }]);
    const stale = (await append(client, stream, (o) => o.setRevision('0'), [{ type: 'C' }])).getWrongExpectedVersion();
    t.equal(stale?.getCurrentRevision(), '1');
    t.equal(stale?.getCurrentRevision2060(), 1);
    t.equal(stale?.getExpectedRevision(), '0');
    const missing = (await append(client, `s-${randomUUID()}`, (o) => o.setStreamExists(new sharedPb.Empty()), [{ type: 'A' }])).getWrongExpectedVersion();
    t.ok(missing?.hasCurrentNoStream() && missing.hasNoStream2060(), 'no stream: current_no_stream');
    t.ok(missing?.hasExpectedStreamExists() && missing.hasStreamExists2060());
    const retried = `s-${randomUUID()}`;
    const id = toUuid(randomUUID(), false);
    const once = await append(client, retried, (o) => o.setNoStream(new sharedPb.Empty()), [{ type: 'A', id }]);
    const twice = await append(client, retried, (o) => o.setNoStream(new sharedPb.Empty()), [{ type: 'A', id }]);
    t.ok(twice.hasSuccess(), 'a retry of the same write succeeds again');
    t.equal(twice.getSuccess()?.getPosition()?.getCommitPosition(), once.getSuccess()?.getPosition()?.getCommitPosition(), 'without writing twice');
  });

  t.test('event ids round-trip in both UUID encodings', async (t) => {
    const stream = `s-${randomUUID()}`;
    const id = randomUUID();
    await append(client, stream, (o) => o.setAny(new sharedPb.Empty()), [{ type: 'A', id: toUuid(id, true) }]);
    const byStream = (structured: boolean) => readOptions((o) => o.setStream(new streamsPb.ReadReq.Options.StreamOptions()
      .setStreamIdentifier(streamIdentifier(stream)).setStart(new sharedPb.Empty())), structured);
    const [asString] = await read(client, byStream(false));
    const [asStructured] = await read(client, byStream(true));
    t.equal(asString?.getEvent()?.getEvent()?.getId()?.getString(), id);
    t.ok(asStructured?.getEvent()?.getEvent()?.getId()?.hasStructured());
    t.equal(uuidString(asStructured?.getEvent()?.getEvent()?.getId()), id);
  });

  t.test('$all from an event\'s position: forwards includes it, backwards starts before it', async (t) => {
    const stream = `s-${randomUUID()}`;
    await append(client, stream, (o) => o.setAny(new sharedPb.Empty()), [{ type: 'A' }, { type: 'B' }, { type: 'C' }]);
    const events = await read(client, readOptions((o) => o.setStream(new streamsPb.ReadReq.Options.StreamOptions()
      .setStreamIdentifier(streamIdentifier(stream)).setStart(new sharedPb.Empty()))));
    const [a, b, c] = positions(events);
    const middle = BigInt(b ?? '0');
    t.same(positions(await read(client, readOptions((o) => o.setAll(allFrom(middle))))), [b, c]);
    t.same(positions(await read(client, readOptions((o) => o.setAll(allFrom(middle)).setReadDirection(ReadDirection.BACKWARDS)))).slice(0, 1), [a]);
    const error = await read(client, readOptions((o) => o.setAll(allFrom(middle + 1n)))).catch((e: ServiceError) => e);
    t.equal(!Array.isArray(error) && error.code, status.INVALID_ARGUMENT, 'not from the middle of a record');
  });

  t.test('a filtered subscription: confirmation, events, checkpoints, caught_up, then live', async (t) => {
    const wanted = `W${randomUUID().slice(0, 8)}`;
    const stream = `s-${randomUUID()}`;
    for (let i = 0; i < 70; i++) {
      await append(client, stream, (o) => o.setAny(new sharedPb.Empty()), [{ type: i % 10 === 0 ? wanted : 'Other' }]);
    }
    const records = (await read(client, readOptions((o) => o.setAll(new streamsPb.ReadReq.Options.AllOptions()
      .setStart(new sharedPb.Empty()))))).length;
    const filter = new streamsPb.ReadReq.Options.FilterOptions()
      .setEventType(new streamsPb.ReadReq.Options.FilterOptions.Expression().setPrefixList([wanted]))
      .setCount(new sharedPb.Empty())
      .setCheckpointintervalmultiplier(1);
    const request = readOptions((o) => o.setAll(new streamsPb.ReadReq.Options.AllOptions().setStart(new sharedPb.Empty()))
      .setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions()).setFilter(filter));
    const call = client.read(request);
    const kinds: string[] = [];
    await new Promise<void>((resolve) => {
      call.on('data', (response: streamsPb.ReadResp) => {
        const kind = response.hasConfirmation() ? 'confirmation' : response.hasCheckpoint() ? 'checkpoint'
          : response.hasCaughtUp() ? 'caught_up' : response.hasEvent() ? 'event' : 'other';
        kinds.push(kind);
        if (kind === 'caught_up') {
          void append(client, stream, (o) => o.setAny(new sharedPb.Empty()), [{ type: wanted }]);
        }
        if (kinds.filter((k) => k === 'event').length === 8) resolve();
      });
      call.on('error', () => resolve());
    });
    call.cancel();
    const caughtUp = kinds.indexOf('caught_up');
    t.equal(kinds[0], 'confirmation', 'confirmation first');
    t.equal(kinds.slice(0, caughtUp).filter((k) => k === 'event').length, 7, 'the seven history events before caught_up');
    t.equal(kinds[caughtUp - 1], 'checkpoint', 'a checkpoint on reaching the end');
    t.equal(kinds.slice(0, caughtUp).filter((k) => k === 'checkpoint').length, Math.floor(records / 32) + 1,
      'one every 32 records looked at, matching or not, and one at the end');
    t.equal(kinds.at(-1), 'event', 'then the live event');
  });
});
