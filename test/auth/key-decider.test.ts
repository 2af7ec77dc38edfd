import t from 'tap';
import { keyDecider } from '../../commands/keys/decider.js';
import type { KeyCommand } from '../../commands/keys/commands.js';
import type { KeyEvent, KeyIssuedData } from '../../commands/keys/events.js';
import { deciderSpec } from '../commands/decider-spec.js';

const data: KeyIssuedData = { keyId: 'k_1', name: '枣强县招商局', role: 'bureau', regions: ['131121'], secretHash: 'a'.repeat(64), occurredOn: '2025-03-01' };
const issued: KeyEvent = { type: 'KeyIssued', data };
const revoked: KeyEvent = { type: 'KeyRevoked', data: { keyId: 'k_1', reason: 'left the bureau', occurredOn: '2025-03-02' } };
const revoke: KeyCommand = { type: 'RevokeKey', keyId: 'k_1', reason: 'left the bureau', occurredOn: '2025-03-02' };

t.test('when no key', async (t) => {
  const { given } = deciderSpec(t, keyDecider);
  given([]).when({ type: 'IssueKey', data }).then([issued]);
  given([]).when({ type: 'IssueKey', data: { ...data, regions: ['131121', '131121'] } }).thenThrows('key-regions-distinct');
  given([]).when(revoke).thenThrows('key-not-issued');
});

t.test('when issued', async (t) => {
  const { given } = deciderSpec(t, keyDecider);
  given([issued]).when({ type: 'IssueKey', data }).thenThrows('key-already-issued');
  given([issued]).when(revoke).then([revoked]);
  given([issued]).when({ type: 'RevokeKey', keyId: 'k_1', occurredOn: '2025-03-02' })
    .then([{ type: 'KeyRevoked', data: { keyId: 'k_1', occurredOn: '2025-03-02' } }], 'a reason is optional');
});

t.test('when revoked', async (t) => {
  const { given } = deciderSpec(t, keyDecider);
  given([issued, revoked]).when(revoke).thenThrows('key-already-revoked');
  given([issued, revoked]).when({ type: 'IssueKey', data }).thenThrows('key-already-issued', 'never revived');
});

t.test('stored events decode through the schemas', async (t) => {
  t.same(keyDecider.decode({ type: 'KeyIssued', data: { ...data } }), issued);
  t.throws(() => keyDecider.decode({ type: 'KeyIssued', data: { ...data, secretHash: 'not-a-hash' } }));
  t.throws(() => keyDecider.decode({ type: 'KeyLost', data: {} }), /unknown event type/);
});
