/**
 * Builds RecordedEvents for projection tests. Project events are written as a bureau posts
 * them (amounts in 万元) and parsed with the real event schemas, so what the projections see
 * is what the store would hold (amounts as integer Amounts of 0.01 万元).
 */
import type { JsonObject, RecordedEvent } from '../../../src/event-store/port.js';
import { eventSchemas, type ProjectEventType } from '../../../commands/project/events.js';
import { annualTargetsSetSchema } from '../../../commands/targets/events.js';
import { groundbreakingBatchScheduledSchema } from '../../../commands/batch/events.js';

export interface RecordOptions {
  /** ISO UTC; default 02:00Z on occurredOn (10:00 China time, the same business day). */
  readonly recordedAt?: string;
  readonly flags?: readonly string[];
}

type Input<T extends ProjectEventType> = Record<string, unknown> & { readonly occurredOn: string } & Partial<Record<keyof (typeof eventSchemas)[T]['shape'], unknown>>;

/** Fields a test need not spell out (an event's legal filler). */
const DEFAULTS: { readonly [T in ProjectEventType]?: Record<string, unknown> } = {
  ProjectRegistered: { industry: 'C', category: 'industrial', origin: 'attracted', regionCode: '131121', plannedInvestment: 1000 },
  NegotiationOpened: { investor: '某投资方', investorOrigin: 'out_of_province', expectedInvestment: 1000 },
  ProjectSigned: { agreementType: 'formal', investor: '某投资方', investorOrigin: 'out_of_province' },
  ProjectApproved: { kind: 'filing', authority: '县发改局', documentNo: '备案〔2025〕1号' },
  LandAcquired: { method: 'transfer', parcelNo: 'ZQ-2025-01', areaMu: 100 },
  StatisticsEntered: { plannedInvestment: 1000 },
  FundsArrived: { source: 'own', sourceRegion: 'out_of_province' },
  FundingSecured: { source: 'special_bond', documentNo: '冀财〔2025〕1号' },
  Commissioned: { partial: false },
  Stalled: { reason: 'funds' },
  Resumed: { reason: 'funds' },
  Withdrawn: { reason: '投资方撤资', approvedBy: '县项目办' },
  DetailsCorrected: { reason: '更正' },
  MilestoneDateCorrected: { reason: '更正日期' },
  InvestmentCorrected: { reason: '统计更正' },
};

export class History {
  readonly events: RecordedEvent[] = [];
  private position = 0;
  private readonly revisions = new Map<string, number>();

  /** A project event, as posted (万元), validated and stored as the schema outputs it. */
  project<T extends ProjectEventType>(projectId: string, type: T, input: Input<T>, options: RecordOptions = {}): RecordedEvent {
    const data = eventSchemas[type].parse({ ...DEFAULTS[type], ...input, projectId });
    return this.append(`project-${projectId}`, type, data, input.occurredOn, options);
  }

  register(projectId: string, input: Input<'ProjectRegistered'>, options: RecordOptions = {}): RecordedEvent {
    return this.project(projectId, 'ProjectRegistered', { name: `项目${projectId}`, ...input }, options);
  }

  targets(regionCode: string, year: number, occurredOn: string, targets: Record<string, number>, options: RecordOptions = {}): RecordedEvent {
    const data = annualTargetsSetSchema.parse({ regionCode, year, occurredOn, targets });
    return this.append(`targets-${regionCode}-${year}`, 'AnnualTargetsSet', data, occurredOn, options);
  }

  batch(input: { batchId: string; regionCode: string; name?: string; occurredOn: string; ceremonyOn: string; mustStartBy: string; projectIds: string[] }, options: RecordOptions = {}): RecordedEvent {
    const data = groundbreakingBatchScheduledSchema.parse({ name: `批次${input.batchId}`, ...input });
    return this.append(`batch-${input.batchId}`, 'GroundbreakingBatchScheduled', data, input.occurredOn, options);
  }

  private append(streamId: string, type: string, data: unknown, occurredOn: string, options: RecordOptions): RecordedEvent {
    const revision = (this.revisions.get(streamId) ?? -1) + 1;
    this.revisions.set(streamId, revision);
    this.position += 1;
    const event: RecordedEvent = {
      id: `e${this.position}`,
      streamId,
      revision,
      position: this.position,
      type,
      data: toJson(data),
      metadata: toJson({
        actor: { keyId: 'k1', role: 'bureau', regions: ['131121'] },
        correlationId: `c${this.position}`,
        causationId: `c${this.position}`,
        schemaVersion: 1,
        prevHash: '',
        hash: '',
        ...(options.flags === undefined ? {} : { flags: options.flags }),
      }),
      recordedAt: options.recordedAt ?? `${occurredOn}T02:00:00.000Z`,
    };
    this.events.push(event);
    return event;
  }
}

export function toJson(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}
