import t from 'tap';
import { regionDecider } from '../../commands/regions/decider.js';
import type { RegisterCustomRegion } from '../../commands/regions/commands.js';
import type { RegionEvent } from '../../commands/regions/events.js';

const given = (events: RegionEvent[]) => ({
  when: (command: RegisterCustomRegion) => () => regionDecider.decide(command, events.reduce(regionDecider.evolve, regionDecider.initialState())),
});

const register = (overrides: Partial<RegisterCustomRegion> = {}): RegisterCustomRegion => ({
  type: 'RegisterCustomRegion', code: '520500-JHH', name: '金海湖新区', occurredOn: '2024-05-01', today: '2024-05-02',
  parent: { code: '520500', level: 'city', grouping: false }, ...overrides,
});

const registered: RegionEvent = { type: 'CustomRegionRegistered', data: { code: '520500-JHH', parentCode: '520500', name: '金海湖新区', occurredOn: '2024-05-01' } };

t.test('when the code is new', async (t) => {
  t.same(given([]).when(register())(), [registered], 'registers it under the parent of its code');
  t.throws(given([]).when(register({ parent: undefined })), { rule: 'region-unknown', message: /520500/ }, 'the parent must be known');
  t.throws(given([]).when(register({ code: '131121-KFQ' })), { rule: 'region-unknown' }, 'the parent given must be the parent of the code');
  t.throws(given([]).when(register({ code: '000000-X', parent: { code: '000000', level: 'country', grouping: false } })), { rule: 'region-parent-not-official' });
  t.throws(given([]).when(register({ code: '110100-X', parent: { code: '110100', level: 'city', grouping: true } })), { rule: 'region-parent-not-official' }, 'not under a 市辖区 grouping');
  t.throws(given([]).when(register({ occurredOn: '2024-05-03' })), { rule: 'occurred-on-not-in-future' });
});

t.test('when the code is registered', async (t) => {
  t.throws(given([registered]).when(register({ name: '另一个新区' })), { rule: 'region-already-registered' });
});

t.test('stored events decode through the schema', async (t) => {
  t.same(regionDecider.decode({ type: registered.type, data: { ...registered.data } }), registered);
  t.throws(() => regionDecider.decode({ type: 'RegionRenamed', data: {} }), /unknown event type/);
  t.throws(() => regionDecider.decode({ type: 'CustomRegionRegistered', data: { code: 'nope' } }));
});
