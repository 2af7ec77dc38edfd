/** A small known history of 兰考县 written through the deciders, for the CLI tests. */
import { openHistoryStore, post } from './run-cli.js';

export const LANKAO = '410225';

/**
 * 兰考县, 2025 (万元):
 * - P1 attracted industrial, planned 8,000, signed 2025-02-15 for 20,000, started 2025-03-01,
 *   reported 1,500 for March and 2,500 for April;
 * - P2 government infrastructure, planned 120,000 (≥ 10 亿), started 2025-04-10, reported
 *   3,000 for April;
 * - P3 local services, planned 600, never started: the reserve.
 * Each event is recorded at 02:00Z on the day it is posted.
 */
export async function writeHistory(dir: string): Promise<number> {
  const { store, at } = openHistoryStore(dir);
  const on = async (date: string, projectId: string, type: Parameters<typeof post>[3], body: Record<string, unknown>) => {
    const recordedAt = `${date}T02:00:00.000Z`;
    at(recordedAt);
    return post(store, recordedAt, projectId, type, { occurredOn: date, ...body });
  };
  const registration = { industry: 'C', regionCode: LANKAO };
  await on('2025-01-10', 'P1', 'ProjectRegistered', { ...registration, name: '兰考县新能源电池项目', category: 'industrial', origin: 'attracted', plannedInvestment: 8_000 });
  await on('2025-01-20', 'P2', 'ProjectRegistered', { ...registration, name: '兰考县城乡供水一体化工程', category: 'infrastructure', origin: 'government', plannedInvestment: 120_000 });
  await on('2025-02-01', 'P3', 'ProjectRegistered', { ...registration, name: '兰考县冷链物流中心项目', category: 'services', origin: 'local', plannedInvestment: 600 });
  await on('2025-02-15', 'P1', 'ProjectSigned', { agreementType: 'formal', contractInvestment: 20_000, investor: '某新能源有限公司', investorOrigin: 'out_of_province' });
  await on('2025-03-01', 'P1', 'Started', {});
  await on('2025-04-05', 'P1', 'InvestmentReported', { period: '2025-03', amount: 1_500 });
  await on('2025-04-10', 'P2', 'Started', {});
  await on('2025-05-06', 'P1', 'InvestmentReported', { period: '2025-04', amount: 2_500 });
  const head = await on('2025-05-08', 'P2', 'InvestmentReported', { period: '2025-04', amount: 3_000 });
  await store.close();
  return head;
}
