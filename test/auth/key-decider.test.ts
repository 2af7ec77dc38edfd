import t from 'tap';
import { keyDecider } from '../../commands/keys/decider.js';
import type { KeyCommand } from '../../commands/keys/commands.js';
import type { KeyEvent, KeyIssuedData } from '../../commands/keys/events.js';

const given = (events: KeyEvent[]) => ({
  when: (command: KeyCommand) => () => keyDecider.decide(command, events.reduce(keyDecider.evolve, keyDecider.initialState())),
});

const data: KeyIssuedData = { keyId: 'k_1', name: '枣强县招商局', role: 'bureau', regions: ['131121'], secretHash: 'a'.repeat(64), occurredOn: '2025-03-01' };
const issued: KeyEvent = { type: 'KeyIssued', data };
const revoked: KeyEvent = { type: 'KeyRevoked', data: { keyId: 'k_1', reason: 'left the bureau', occurredOn: '2025-03-02' } };
const revoke: KeyCommand = { type: 'RevokeKey', keyId: 'k_1', reason: 'left the bureau', occurredOn: '2025-03-02' };

t.test('when no key', async (t) => {
  t.same(given([]).when({ type: 'IssueKey', data })(), [issued]);
  t.throws(given([]).when({ type: 'IssueKey', data: { ...data, regions: ['131121', '131121'] } }), { rule: 'key-regions-distinct' });
  t.throws(given([]).when(revoke), { rule: 'key-not-issued' });
});

t.test('when issued', async (t) => {
  t.throws(given([issued]).when({ type: 'IssueKey', data }), { rule: 'key-already-issued' });
  t.same(given([issued]).when(revoke)(), [revoked]);
  const { reason: _reason, ...withoutReason } = revoked.data;
  t.same(given([issued]).when({ type: 'RevokeKey', keyId: 'k_1', occurredOn: '2025-03-02' })(), [{ type: 'KeyRevoked', data: withoutReason }], 'a reason is optional');
});

t.test('when revoked', async (t) => {
  t.throws(given([issued, revoked]).when(revoke), { rule: 'key-already-revoked' });
  t.throws(given([issued, revoked]).when({ type: 'IssueKey', data }), { rule: 'key-already-issued' }, 'never revived');
});

t.test('stored events decode through the schemas', async (t) => {
  t.same(keyDecider.decode({ type: 'KeyIssued', data: { ...data } }), issued);
  t.throws(() => keyDecider.decode({ type: 'KeyIssued', data: { ...data, secretHash: 'not-a-hash' } }));
  t.throws(() => keyDecider.decode({ type: 'KeyLost', data: {} }), /unknown event type/);
});
