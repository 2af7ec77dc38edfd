/**
 * What an admin (or, on first start, the system) asks of a key stream. The secret is hashed
 * before the command is built: no command, event or log line ever holds it. Region codes are
 * checked against the region catalogue by the handler before it decides.
 */
import type { IsoDate } from '../shared/dates.js';
import type { KeyIssuedData } from './events.js';

export interface IssueKey {
  readonly type: 'IssueKey';
  readonly data: KeyIssuedData;
}

export interface RevokeKey {
  readonly type: 'RevokeKey';
  readonly keyId: string;
  readonly reason?: string;
  readonly occurredOn: IsoDate;
}

export type KeyCommand = IssueKey | RevokeKey;
