/**
 * Decider tests in emmett's given / when / then:
 *
 *   const { given } = deciderSpec(t, projectDecider);
 *   given([registered()]).when(post(signed())).then([signed()]);
 *   given([registered()]).when(post(signed())).thenThrows('only-attracted-projects-sign');
 *
 * `then` compares the decided events, flags included; `thenThrows` asserts the rule name.
 */
import type { Test } from 'tap';
import { DomainRuleBroken, type Decided, type Decider } from '../../commands/decider.js';

/** Every rule a spec saw refused, so a suite can check it covered them all. */
export const seenRules = new Set<string>();

export function deciderSpec<Command, Event, State>(t: Test, decider: Decider<Command, Event, State>) {
  const run = (events: readonly Event[], command: Command) => decider.decide(command, events.reduce(decider.evolve, decider.initialState()));
  return {
    given: (events: readonly Event[]) => ({
      when: (command: Command) => ({
        then(expected: readonly Decided<Event>[], message = 'decides the events') {
          t.strictSame(run(events, command), expected, message);
        },
        thenThrows(rule: string, message = `refused: ${rule}`) {
          try {
            const decided = run(events, command);
            t.fail(`${message}: decided ${JSON.stringify(decided)}`);
          } catch (error) {
            if (!(error instanceof DomainRuleBroken)) throw error;
            seenRules.add(error.rule);
            t.equal(error.rule, rule, message);
          }
        },
        /** The decided state, for assertions on evolve. */
        thenState(check: (state: State, decided: readonly Decided<Event>[]) => void) {
          const state = events.reduce(decider.evolve, decider.initialState());
          const decided = decider.decide(command, state);
          check(decided.reduce(decider.evolve, state), decided);
        },
      }),
    }),
  };
}
