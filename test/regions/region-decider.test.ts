import t from 'tap';
import { regionDecider } from '../../commands/regions/decider.js';
import type { RegisterCustomRegion } from '../../commands/regions/commands.js';
import type { RegionEvent } from '../../commands/regions/events.js';
import { deciderSpec } from '../commands/decider-spec.js';

const register = (overrides: Partial<RegisterCustomRegion> = {}): RegisterCustomRegion => ({
  type: 'RegisterCustomRegion', code: '520500-JHH', name: '金海湖新区', occurredOn: '2024-05-01', today: '2024-05-02',
  parent: { code: '520500', level: 'city', grouping: false }, ...overrides,
});

const registered: RegionEvent = { type: 'CustomRegionRegistered', data: { code: '520500-JHH', parentCode: '520500', name: '金海湖新区', occurredOn: '2024-05-01' } };

t.test('when the code is new', async (t) => {
  const { given } = deciderSpec(t, regionDecider);
  given([]).when(register()).then([registered], 'registers it under the parent of its code');
  given([]).when(register({ parent: undefined })).thenThrows('region-unknown', 'the parent must be known');
  given([]).when(register({ code: '131121-KFQ' })).thenThrows('region-unknown', 'the parent given must be the parent of the code');
  given([]).when(register({ code: '000000-X', parent: { code: '000000', level: 'country', grouping: false } })).thenThrows('region-parent-not-official');
  given([]).when(register({ code: '110100-X', parent: { code: '110100', level: 'city', grouping: true } })).thenThrows('region-parent-not-official', 'not under a 市辖区 grouping');
  given([]).when(register({ occurredOn: '2024-05-03' })).thenThrows('occurred-on-not-in-future');
});

t.test('when the code is registered', async (t) => {
  const { given } = deciderSpec(t, regionDecider);
  given([registered]).when(register({ name: '另一个新区' })).thenThrows('region-already-registered');
});

t.test('stored events decode through the schema', async (t) => {
  t.same(regionDecider.decode({ type: registered.type, data: { ...registered.data } }), registered);
  t.throws(() => regionDecider.decode({ type: 'RegionRenamed', data: {} }), /unknown event type/);
  t.throws(() => regionDecider.decode({ type: 'CustomRegionRegistered', data: { code: 'nope' } }));
});
