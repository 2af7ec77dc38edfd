import t, { type Test } from 'tap';
import { projectDecider } from '../../commands/project/decider.js';
import type { ProjectEvent } from '../../commands/project/events.js';
import { PROJECT_RULES, RULES } from '../../commands/rules.js';
import { deciderSpec, seenRules } from './decider-spec.js';
import {
  approved, commissioned, completed, dateCorrected, detailsCorrected, fullProduction, fundingSecured, fundsArrived,
  investmentCorrected, investmentReported, landAcquired, negotiationOpened, post, PROJECT, register, registered, resumed,
  signed, stalled, started, statisticsEntered, withdrawn, at, TODAY,
} from './project-fixtures.js';

const spec = (t: Test) => deciderSpec(t, projectDecider).given;
const history = (...events: ProjectEvent[]) => events;
const late = at(TODAY);

t.test('when unregistered', async (t) => {
  const given = (t: Test) => spec(t);
  t.test('RegisterProject registers it', async (t) => given(t)([]).when(register()).then([registered()]));
  t.test('a registration dated more than 30 days ago is flagged late-report', async (t) =>
    given(t)([]).when(register(registered({ occurredOn: '2025-05-15' }), late)).then([{ ...registered({ occurredOn: '2025-05-15' }), flags: ['late-report'] }]));
  t.test('30 days exactly is not late', async (t) =>
    given(t)([]).when(register(registered({ occurredOn: '2025-05-16' }), late)).then([registered({ occurredOn: '2025-05-16' })]));
  t.test('a registration in the future is refused', async (t) =>
    given(t)([]).when(register(registered({ occurredOn: '2025-06-16' }), late)).thenThrows('occurred-on-not-in-future'));
  t.test('a milestone is refused', async (t) => given(t)([]).when(post(signed())).thenThrows('project-not-registered'));
});

t.test('when planned', async (t) => {
  const given = (t: Test) => spec(t)([registered()]);
  t.test('registering again is refused', async (t) => given(t).when(register()).thenThrows('project-already-registered'));
  t.test('NegotiationOpened, even on the registration day', async (t) =>
    given(t).when(post(negotiationOpened({ occurredOn: '2025-01-10' }))).then([negotiationOpened({ occurredOn: '2025-01-10' })]));
  t.test('ProjectSigned, skipping negotiation', async (t) => given(t).when(post(signed())).then([signed()]));
  t.test('a local project is never signed', async (t) =>
    spec(t)([registered({ origin: 'local' })]).when(post(signed())).thenThrows('only-attracted-projects-sign'));
  t.test('a government project is never signed', async (t) =>
    spec(t)([registered({ origin: 'government' })]).when(post(signed())).thenThrows('only-attracted-projects-sign'));
  t.test('a local project may negotiate and start', async (t) => {
    spec(t)([registered({ origin: 'local' })]).when(post(negotiationOpened())).then([negotiationOpened()]);
    spec(t)([registered({ origin: 'local' }), approved()]).when(post(started())).then([started()]);
  });
  t.test('Started without approval is flagged 未批先建', async (t) =>
    given(t).when(post(started())).then([{ ...started(), flags: ['started-without-approval'] }]));
  t.test('Started in a 集中开工 batch: the batch named must hold the project', async (t) => {
    const inBatch = started({ batchId: 'WY-2025-Q2' });
    const withBatch = (batchId: string, projectIds: string[]) => ({ ...post(inBatch), namedBatch: { batchId, projectIds } });
    given(t).when(withBatch('WY-2025-Q2', ['OTHER-1', PROJECT])).then([{ ...inBatch, flags: ['started-without-approval'] }]);
    // a 枣强 project naming a 武邑 batch that does not list it would count for 武邑 and be shown to it
    given(t).when(withBatch('WY-2025-Q2', ['OTHER-1'])).thenThrows('started-batch-must-hold-project', 'a batch that does not list it');
    given(t).when(post(inBatch)).thenThrows('started-batch-must-hold-project', 'no such batch is scheduled');
    given(t).when(withBatch('ZQ-2025-Q2', [PROJECT])).thenThrows('started-batch-must-hold-project', 'the facts of another batch');
  });
  t.test('Completed cannot skip Started', async (t) => given(t).when(post(completed())).thenThrows('stage-cannot-be-skipped'));
  t.test('Commissioned cannot skip Started', async (t) => given(t).when(post(commissioned())).thenThrows('stage-cannot-be-skipped'));
  t.test('FullProductionReached cannot skip', async (t) => given(t).when(post(fullProduction())).thenThrows('stage-cannot-be-skipped'));
  t.test('ProjectApproved', async (t) => given(t).when(post(approved())).then([approved()]));
  t.test('LandAcquired', async (t) => given(t).when(post(landAcquired())).then([landAcquired()]));
  t.test('StatisticsEntered needs Started', async (t) => given(t).when(post(statisticsEntered())).thenThrows('statistics-needs-started'));
  t.test('InvestmentReported needs Started', async (t) => given(t).when(post(investmentReported())).thenThrows('investment-needs-started'));
  t.test('InvestmentCorrected needs a report', async (t) => given(t).when(post(investmentCorrected())).thenThrows('investment-correction-needs-report'));
  t.test('FundsArrived', async (t) => given(t).when(post(fundsArrived())).then([fundsArrived()]));
  t.test('FundingSecured', async (t) => given(t).when(post(fundingSecured())).then([fundingSecured()]));
  t.test('Stalled', async (t) => given(t).when(post(stalled())).then([stalled()]));
  t.test('Resumed needs Stalled', async (t) => given(t).when(post(resumed())).thenThrows('resumed-needs-stalled'));
  t.test('Withdrawn', async (t) => given(t).when(post(withdrawn())).then([withdrawn()]));
  t.test('DetailsCorrected', async (t) => given(t).when(post(detailsCorrected())).then([detailsCorrected()]));
  t.test('DetailsCorrected that changes nothing is refused', async (t) =>
    given(t).when(post(detailsCorrected({ name: registered().data.name }))).thenThrows('correction-changes-nothing'));
  t.test('DetailsCorrected sets the fields given, keeps the others', async (t) =>
    given(t).when(post(detailsCorrected({ plannedInvestment: 5_000_000 }))).thenState((state) => {
      t.equal(state.status === 'registered' && state.details.plannedInvestment, 5_000_000);
      t.equal(state.status === 'registered' && state.details.name, detailsCorrected().data.name);
      t.equal(state.status === 'registered' && state.details.category, registered().data.category);
    }));
  t.test('a date correction of a milestone not reached is refused', async (t) =>
    given(t).when(post(dateCorrected({ milestone: 'Started' }))).thenThrows('milestone-not-reached'));
  t.test('the registration date can be corrected earlier', async (t) =>
    given(t).when(post(dateCorrected({ milestone: 'ProjectRegistered', occurredOn: '2024-12-20' })))
      .then([dateCorrected({ milestone: 'ProjectRegistered', occurredOn: '2024-12-20' })]));
  t.test('an event before the registration is refused', async (t) =>
    given(t).when(post(landAcquired({ occurredOn: '2025-01-09' }))).thenThrows('occurred-on-not-before-registration'));
  t.test('an event in the future is refused', async (t) =>
    given(t).when(post(fundsArrived({ occurredOn: '2025-06-16' }), late)).thenThrows('occurred-on-not-in-future'));
  t.test("an event for another project is refused", async (t) => {
    const other = fundsArrived();
    given(t).when(post({ ...other, data: { ...other.data, projectId: 'OTHER-1' } })).thenThrows('project-id-mismatch');
  });
  t.test('an event recorded more than 30 days after it occurred is flagged late-report', async (t) =>
    given(t).when(post(landAcquired({ occurredOn: '2025-05-01' }), late)).then([{ ...landAcquired({ occurredOn: '2025-05-01' }), flags: ['late-report'] }]));
  t.test('late-report uses the China date of now', async (t) =>
    // 2025-06-15T17:00Z is 2025-06-16 01:00 in China: 31 days after 2025-05-16.
    given(t).when(post(landAcquired({ occurredOn: '2025-05-16' }), { now: '2025-06-15T17:00:00.000Z', today: '2025-06-16' }))
      .then([{ ...landAcquired({ occurredOn: '2025-05-16' }), flags: ['late-report'] }]));
});

t.test('when negotiating', async (t) => {
  const given = (t: Test) => spec(t)([registered(), negotiationOpened()]);
  t.test('NegotiationOpened again is refused', async (t) =>
    given(t).when(post(negotiationOpened({ occurredOn: '2025-02-10' }))).thenThrows('milestone-already-reached'));
  t.test('signing before the negotiation is refused', async (t) =>
    given(t).when(post(signed({ occurredOn: '2025-01-20' }))).thenThrows('milestone-dates-in-order'));
  t.test('signing the day negotiation opened', async (t) =>
    given(t).when(post(signed({ occurredOn: '2025-02-01' }))).then([signed({ occurredOn: '2025-02-01' })]));
});

t.test('when signed', async (t) => {
  const given = (t: Test) => spec(t)([registered(), negotiationOpened(), signed()]);
  t.test('NegotiationOpened is refused', async (t) => given(t).when(post(negotiationOpened())).thenThrows('milestone-already-reached'));
  t.test('ProjectSigned again (even supplementary) is refused', async (t) =>
    given(t).when(post(signed({ agreementType: 'supplementary', occurredOn: '2025-05-01' }))).thenThrows('milestone-already-reached'));
  t.test('签约即开工: Started on the signing day', async (t) =>
    given(t).when(post(started({ occurredOn: '2025-03-01' }))).then([{ ...started({ occurredOn: '2025-03-01' }), flags: ['started-without-approval'] }]));
  t.test('Started before the signing is refused', async (t) =>
    given(t).when(post(started({ occurredOn: '2025-02-20' }))).thenThrows('milestone-dates-in-order'));
  t.test('Stalled before the signing is refused', async (t) =>
    given(t).when(post(stalled({ occurredOn: '2025-02-20' }))).thenThrows('milestone-dates-in-order'));
  t.test('a signed project cannot become local', async (t) =>
    given(t).when(post(detailsCorrected({ origin: 'local' }))).thenThrows('only-attracted-projects-sign'));
  t.test('the signing date can be corrected', async (t) => given(t).when(post(dateCorrected())).then([dateCorrected()]));
  t.test('to the same date is refused', async (t) =>
    given(t).when(post(dateCorrected({ occurredOn: '2025-03-01' }))).thenThrows('correction-changes-nothing'));
  t.test('not before the negotiation', async (t) =>
    given(t).when(post(dateCorrected({ occurredOn: '2025-01-31' }))).thenThrows('milestone-dates-in-order'));
  t.test('not into the future', async (t) =>
    given(t).when(post(dateCorrected({ occurredOn: '2025-07-01' }), late)).thenThrows('occurred-on-not-in-future'));
  t.test('not before the registration', async (t) =>
    spec(t)([registered(), signed()]).when(post(dateCorrected({ occurredOn: '2025-01-01' }))).thenThrows('occurred-on-not-before-registration'));
  t.test('the registration date cannot move after the signing', async (t) =>
    given(t).when(post(dateCorrected({ milestone: 'ProjectRegistered', occurredOn: '2025-03-02' }))).thenThrows('occurred-on-not-before-registration'));
  t.test('nor after a record such as FundsArrived', async (t) =>
    spec(t)([registered(), fundsArrived({ occurredOn: '2025-01-15' })])
      .when(post(dateCorrected({ milestone: 'ProjectRegistered', occurredOn: '2025-01-20' }))).thenThrows('occurred-on-not-before-registration'));
});

t.test('when started', async (t) => {
  const history0 = history(registered(), signed(), approved(), started());
  const given = (t: Test) => spec(t)(history0);
  t.test('Started with an earlier approval is not flagged', async (t) =>
    spec(t)([registered(), signed(), approved()]).when(post(started())).then([started()]));
  t.test('Started before its approval date is flagged 未批先建', async (t) =>
    spec(t)([registered(), signed(), approved({ occurredOn: '2025-04-05' })]).when(post(started()))
      .then([{ ...started(), flags: ['started-without-approval'] }]));
  t.test('Started again is refused', async (t) => given(t).when(post(started({ occurredOn: '2025-04-02' }))).thenThrows('milestone-already-reached'));
  t.test('ProjectSigned after start is refused', async (t) =>
    spec(t)([registered(), started()]).when(post(signed())).thenThrows('stage-moves-forward'));
  t.test('ProjectApproved again is refused', async (t) => given(t).when(post(approved())).thenThrows('milestone-already-reached'));
  t.test('LandAcquired again is refused', async (t) =>
    spec(t)([...history0, landAcquired()]).when(post(landAcquired())).thenThrows('milestone-already-reached'));
  t.test('StatisticsEntered', async (t) => given(t).when(post(statisticsEntered())).then([statisticsEntered()]));
  t.test('StatisticsEntered below 500 万元 is refused', async (t) =>
    given(t).when(post(statisticsEntered({ plannedInvestment: 49_999 }))).thenThrows('statistics-threshold-500wan'));
  // 500 万元 = 50_000 Amounts; both the declared figure and 总投资 must reach it
  t.test('StatisticsEntered at exactly 500 万元 (总投资 also 500 万元)', async (t) =>
    spec(t)([registered({ plannedInvestment: 50_000, origin: 'government' }), started()]).when(post(statisticsEntered({ plannedInvestment: 50_000 })))
      .then([statisticsEntered({ plannedInvestment: 50_000 })]));
  t.test('a 300 万元 project declared as 600 万元 is refused: 总投资 is below 500 万元', async (t) =>
    spec(t)([registered({ plannedInvestment: 30_000, origin: 'government' }), started()]).when(post(statisticsEntered({ plannedInvestment: 60_000 })))
      .thenThrows('statistics-threshold-500wan'));
  t.test('总投资 is read on the entry date: approved at 600 万元 after the entry does not admit a 300 万元 project', async (t) =>
    spec(t)([registered({ plannedInvestment: 30_000, origin: 'government' }), started(), approved({ occurredOn: '2025-04-25', approvedInvestment: 60_000 })])
      .when(post(statisticsEntered({ occurredOn: '2025-04-20', plannedInvestment: 60_000 }), at('2025-04-26')))
      .thenThrows('statistics-threshold-500wan'));
  t.test('a 300 万元 plan approved at 600 万元 before the entry is admitted (总投资 = approved)', async (t) =>
    spec(t)([registered({ plannedInvestment: 30_000, origin: 'government' }), approved({ approvedInvestment: 60_000 }), started()])
      .when(post(statisticsEntered({ plannedInvestment: 60_000 }))).then([statisticsEntered({ plannedInvestment: 60_000 })]));
  // 入统数据不一致: 总投资 here is the approved 98,000 万元 (9_800_000); 10 % of it is 9,800 万元
  t.test('a declared figure more than 10 % off 总投资 is recorded and flagged 入统数据不一致', async (t) =>
    given(t).when(post(statisticsEntered({ plannedInvestment: 50_000 })))
      .then([{ ...statisticsEntered({ plannedInvestment: 50_000 }), flags: ['statistics-inconsistent'] }]));
  t.test('88,200 万元 is exactly 10 % below 98,000 万元: consistent, not flagged', async (t) =>
    given(t).when(post(statisticsEntered({ plannedInvestment: 8_820_000 }))).then([statisticsEntered({ plannedInvestment: 8_820_000 })]));
  t.test('88,199.99 万元 is just over 10 % below: flagged', async (t) =>
    given(t).when(post(statisticsEntered({ plannedInvestment: 8_819_999 })))
      .then([{ ...statisticsEntered({ plannedInvestment: 8_819_999 }), flags: ['statistics-inconsistent'] }]));
  t.test('107,800 万元 is exactly 10 % above: not flagged; 107,800.01 is', async (t) => {
    given(t).when(post(statisticsEntered({ plannedInvestment: 10_780_000 }))).then([statisticsEntered({ plannedInvestment: 10_780_000 })]);
    given(t).when(post(statisticsEntered({ plannedInvestment: 10_780_001 })))
      .then([{ ...statisticsEntered({ plannedInvestment: 10_780_001 }), flags: ['statistics-inconsistent'] }]);
  });
  t.test('StatisticsEntered dated before the start is refused', async (t) =>
    given(t).when(post(statisticsEntered({ occurredOn: '2025-03-20' }))).thenThrows('statistics-needs-started'));
  t.test('StatisticsEntered for a month before the start is refused', async (t) =>
    given(t).when(post(statisticsEntered({ month: '2025-03' }))).thenThrows('statistics-needs-started'));
  t.test('StatisticsEntered for a month ahead is refused', async (t) =>
    given(t).when(post(statisticsEntered({ month: '2025-07' }))).thenThrows('statistics-month-not-ahead'));
  t.test('InvestmentReported', async (t) => given(t).when(post(investmentReported())).then([investmentReported()]));
  t.test('InvestmentReported for the current month', async (t) =>
    given(t).when(post(investmentReported({ period: '2025-06', occurredOn: '2025-06-10' }), late))
      .then([investmentReported({ period: '2025-06', occurredOn: '2025-06-10' })]));
  t.test('InvestmentReported for a month ahead is refused', async (t) =>
    given(t).when(post(investmentReported({ period: '2025-07' }))).thenThrows('investment-period-not-ahead'));
  t.test('InvestmentReported for a month before the start is refused', async (t) =>
    given(t).when(post(investmentReported({ period: '2025-03' }))).thenThrows('investment-needs-started'));
  t.test('Completed on the start day is refused', async (t) =>
    given(t).when(post(completed({ occurredOn: '2025-04-01' }))).thenThrows('milestone-dates-in-order'));
  t.test('Completed', async (t) => given(t).when(post(completed())).then([completed()]));
  t.test('Commissioned cannot skip Completed', async (t) => given(t).when(post(commissioned())).thenThrows('stage-cannot-be-skipped'));
  t.test('Stalled keeps the stage to resume to', async (t) =>
    given(t).when(post(stalled())).thenState((state) => {
      t.equal(state.status === 'registered' && state.stage, 'STALLED');
      t.equal(state.status === 'registered' && state.stageBeforeStall, 'STARTED');
    }));
  t.test('the start cannot be corrected after the statistics entry', async (t) =>
    spec(t)([...history0, statisticsEntered()]).when(post(dateCorrected({ milestone: 'Started', occurredOn: '2025-04-25' })))
      .thenThrows('statistics-needs-started'));
  t.test('the start cannot be corrected after the first reported period', async (t) =>
    spec(t)([...history0, investmentReported()]).when(post(dateCorrected({ milestone: 'Started', occurredOn: '2025-05-02' })))
      .thenThrows('investment-needs-started'));
  t.test('the start can be corrected earlier, not before the signing', async (t) => {
    given(t).when(post(dateCorrected({ milestone: 'Started', occurredOn: '2025-03-05' }))).then([dateCorrected({ milestone: 'Started', occurredOn: '2025-03-05' })]);
    given(t).when(post(dateCorrected({ milestone: 'Started', occurredOn: '2025-02-05' }))).thenThrows('milestone-dates-in-order');
  });
  t.test('the statistics entry cannot be corrected before the start', async (t) =>
    spec(t)([...history0, statisticsEntered()]).when(post(dateCorrected({ milestone: 'StatisticsEntered', occurredOn: '2025-03-30' })))
      .thenThrows('statistics-needs-started'));
  t.test('the approval date can be corrected', async (t) =>
    given(t).when(post(dateCorrected({ milestone: 'ProjectApproved', occurredOn: '2025-03-11' })))
      .then([dateCorrected({ milestone: 'ProjectApproved', occurredOn: '2025-03-11' })]));
});

t.test('when the statistics were entered', async (t) => {
  const given = (t: Test) => spec(t)([registered(), approved(), started(), statisticsEntered()]);
  t.test('StatisticsEntered again is refused', async (t) =>
    given(t).when(post(statisticsEntered({ occurredOn: '2025-05-01', month: '2025-05' }))).thenThrows('statistics-once'));
});

t.test('when investment was reported', async (t) => {
  const given = (t: Test) => spec(t)([registered(), approved(), started(), investmentReported()]);
  t.test('a second report for the period is refused', async (t) =>
    given(t).when(post(investmentReported({ occurredOn: '2025-05-10' }))).thenThrows('investment-period-once'));
  t.test('another period', async (t) =>
    given(t).when(post(investmentReported({ period: '2025-05' }))).then([investmentReported({ period: '2025-05' })]));
  t.test('InvestmentCorrected', async (t) => given(t).when(post(investmentCorrected())).thenState((state, decided) => {
    t.strictSame(decided, [investmentCorrected()]);
    t.strictSame(state.status === 'registered' && state.investment, { '2025-04': 160_000 });
  }));
  t.test('InvestmentCorrected to the same amount is refused', async (t) =>
    given(t).when(post(investmentCorrected({ amount: 150_000 }))).thenThrows('correction-changes-nothing'));
  t.test('InvestmentCorrected of another period is refused', async (t) =>
    given(t).when(post(investmentCorrected({ period: '2025-05' }))).thenThrows('investment-correction-needs-report'));
});

t.test('when completed', async (t) => {
  const given = (t: Test) => spec(t)([registered(), approved(), started(), completed()]);
  t.test('Commissioned the same day', async (t) => given(t).when(post(commissioned())).then([commissioned()]));
  t.test('Commissioned before completion is refused', async (t) =>
    given(t).when(post(commissioned({ occurredOn: '2025-05-31' }))).thenThrows('milestone-dates-in-order'));
  t.test('Completed again is refused', async (t) => given(t).when(post(completed({ occurredOn: '2025-06-02' }))).thenThrows('milestone-already-reached'));
  t.test('Completed cannot be corrected onto the start day', async (t) =>
    given(t).when(post(dateCorrected({ milestone: 'Completed', occurredOn: '2025-04-01' }))).thenThrows('milestone-dates-in-order'));
});

t.test('when commissioned', async (t) => {
  const events = history(registered(), approved(), started(), completed(), commissioned());
  const given = (t: Test) => spec(t)(events);
  t.test('FullProductionReached the same day is refused', async (t) =>
    given(t).when(post(fullProduction({ occurredOn: '2025-06-01' }))).thenThrows('milestone-dates-in-order'));
  t.test('FullProductionReached', async (t) => given(t).when(post(fullProduction())).then([fullProduction()]));
  t.test('Completed cannot be corrected after Commissioned', async (t) =>
    given(t).when(post(dateCorrected({ milestone: 'Completed', occurredOn: '2025-06-02' }))).thenThrows('milestone-dates-in-order'));
  t.test('Completed can be corrected onto the Commissioned date and before', async (t) =>
    given(t).when(post(dateCorrected({ milestone: 'Completed', occurredOn: '2025-05-20' })))
      .then([dateCorrected({ milestone: 'Completed', occurredOn: '2025-05-20' })]));
});

t.test('when commissioned in part', async (t) => {
  const partly = commissioned({ partial: true, capacityPct: 40 });
  const given = (t: Test) => spec(t)([registered(), approved(), started(), completed(), partly]);
  const full = commissioned({ occurredOn: '2025-06-08' });
  t.test('the full commissioning follows it, counted once on the first date', async (t) =>
    given(t).when(post(full)).thenState((state, decided) => {
      t.strictSame(decided, [full]);
      t.equal(state.status === 'registered' && state.milestones.Commissioned, '2025-06-01');
      t.equal(state.status === 'registered' && state.stage, 'COMMISSIONED');
    }));
  t.test('the full commissioning cannot precede the partial one', async (t) =>
    given(t).when(post(commissioned({ occurredOn: '2025-05-31' }), at('2025-06-08'))).thenThrows('milestone-dates-in-order'));
  t.test('a second partial commissioning is refused', async (t) =>
    given(t).when(post(commissioned({ occurredOn: '2025-06-08', partial: true, capacityPct: 70 }))).thenThrows('milestone-already-reached'));
  t.test('after the full one, commissioning again is refused', async (t) =>
    spec(t)([registered(), approved(), started(), completed(), partly, full]).when(post(commissioned({ occurredOn: '2025-06-09' }))).thenThrows('milestone-already-reached'));
  t.test('not once in full production', async (t) =>
    spec(t)([registered(), approved(), started(), completed(), partly, fullProduction()]).when(post(commissioned({ occurredOn: '2025-06-12' }))).thenThrows('stage-moves-forward'));
});

t.test('the industry class lies in its GB/T 4754 section', async (t) => {
  t.test('registered in its section', async (t) =>
    spec(t)([]).when(register(registered({ industry: 'C', industryClass: '3062' }))).then([registered({ industry: 'C', industryClass: '3062' })]));
  t.test('a manufacturing class under agriculture is refused', async (t) =>
    spec(t)([]).when(register(registered({ industry: 'A', industryClass: '3062' }))).thenThrows('industry-class-in-section'));
  t.test('a division GB/T 4754 does not have is refused', async (t) =>
    spec(t)([]).when(register(registered({ industry: 'T', industryClass: '9901' }))).thenThrows('industry-class-in-section'));
  t.test('a correction of the section alone is held to the class registered', async (t) => {
    const given = spec(t)([registered({ industry: 'C', industryClass: '3062' })]);
    given.when(post(detailsCorrected({ industry: 'F' }))).thenThrows('industry-class-in-section');
    given.when(post(detailsCorrected({ industry: 'F', industryClass: '5191' }))).then([detailsCorrected({ industry: 'F', industryClass: '5191' })]);
  });
});

t.test('when in full production', async (t) => {
  const given = (t: Test) => spec(t)([registered(), approved(), started(), completed(), commissioned(), fullProduction()]);
  t.test('nothing moves the stage back', async (t) => {
    given(t).when(post(negotiationOpened())).thenThrows('stage-moves-forward');
    given(t).when(post(commissioned({ occurredOn: '2025-06-12' }))).thenThrows('milestone-already-reached');
  });
  t.test('it can still stall and be withdrawn', async (t) => {
    given(t).when(post(stalled({ occurredOn: '2025-06-12' }))).then([stalled({ occurredOn: '2025-06-12' })]);
    given(t).when(post(withdrawn({ occurredOn: '2025-06-12' }))).then([withdrawn({ occurredOn: '2025-06-12' })]);
  });
});

t.test('when stalled', async (t) => {
  const events = history(registered(), approved(), started(), stalled());
  const given = (t: Test) => spec(t)(events);
  t.test('Resumed returns to the stage before the stall', async (t) =>
    given(t).when(post(resumed())).thenState((state, decided) => {
      t.strictSame(decided, [resumed()]);
      t.equal(state.status === 'registered' && state.stage, 'STARTED');
      t.equal(state.status === 'registered' && state.stageBeforeStall, undefined);
    }));
  t.test('Resumed before the stall is refused', async (t) =>
    given(t).when(post(resumed({ occurredOn: '2025-05-01' }))).thenThrows('milestone-dates-in-order'));
  t.test('Withdrawn', async (t) => given(t).when(post(withdrawn())).then([withdrawn()]));
  t.test('nothing else follows', async (t) => {
    for (const event of [completed(), stalled({ occurredOn: '2025-05-20' }), investmentReported(), fundsArrived({ occurredOn: '2025-05-20' }), detailsCorrected(), dateCorrected()]) {
      given(t).when(post(event)).thenThrows('only-resumed-follows-stalled', `${event.type} is refused`);
    }
  });
  t.test('after Resumed the project moves on', async (t) =>
    spec(t)([...events, resumed()]).when(post(completed())).then([completed()]));
  t.test('a stalled planned project resumes to PLANNED', async (t) =>
    spec(t)([registered(), stalled({ occurredOn: '2025-02-01' })]).when(post(resumed())).thenState((state) => {
      t.equal(state.status === 'registered' && state.stage, 'PLANNED');
    }));
});

t.test('when withdrawn', async (t) => {
  const given = (t: Test) => spec(t)([registered(), signed(), withdrawn()]);
  t.test('nothing follows', async (t) => {
    for (const event of [resumed({ occurredOn: '2025-06-01' }), started({ occurredOn: '2025-06-01' }), fundsArrived(), detailsCorrected(), dateCorrected(), withdrawn({ occurredOn: '2025-06-01' })]) {
      given(t).when(post(event)).thenThrows('nothing-follows-withdrawn', `${event.type} is refused`);
    }
  });
  t.test('registering again is refused', async (t) => given(t).when(register()).thenThrows('project-already-registered'));
  t.test('a stalled project withdrawn stays withdrawn', async (t) =>
    spec(t)([registered(), stalled({ occurredOn: '2025-02-01' }), withdrawn()]).when(post(resumed())).thenThrows('nothing-follows-withdrawn'));
});

t.test('every project rule is exercised', async (t) => {
  for (const rule of Object.keys(PROJECT_RULES)) t.ok(seenRules.has(rule), `${rule} is exercised`);
  for (const rule of seenRules) t.ok(Object.hasOwn(RULES, rule), `${rule} is in the registry`);
});

t.test('the projectId of the fixtures', async (t) => t.equal(registered().data.projectId, PROJECT));
