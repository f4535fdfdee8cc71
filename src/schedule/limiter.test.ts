import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Limiter, type SlotRequest } from './limiter.js';

function request(seq: number, limits: string[], granted: number[]): SlotRequest {
  return { seq, limits, grant: () => granted.push(seq) };
}

describe('Limiter', () => {
  it('grants at once while there is room, then first-come in call order', () => {
    const granted: number[] = [];
    const limiter = new Limiter({ global: 1 });
    limiter.request(request(0, ['global'], granted));
    limiter.request(request(3, ['global'], granted));
    limiter.request(request(1, ['global'], granted));
    expect(granted).toEqual([0]);
    limiter.release(['global']);
    limiter.release(['global']);
    expect(granted).toEqual([0, 1, 3]);
  });

  it('does not let a request blocked on one limit hold back requests for others', () => {
    const granted: number[] = [];
    const limiter = new Limiter({ global: 3, mcp: 1 });
    limiter.request(request(0, ['global', 'mcp'], granted));
    limiter.request(request(1, ['global', 'mcp'], granted));
    limiter.request(request(2, ['global'], granted));
    expect(granted).toEqual([0, 2]);
    expect(limiter.used('global')).toBe(2);
    limiter.release(['global', 'mcp']);
    expect(granted).toEqual([0, 2, 1]);
  });

  it('skips withdrawn requests', () => {
    const granted: number[] = [];
    const limiter = new Limiter({ global: 1 });
    limiter.request(request(0, ['global'], granted));
    const withdrawn = request(1, ['global'], granted);
    limiter.request(withdrawn);
    limiter.request(request(2, ['global'], granted));
    limiter.withdraw(withdrawn);
    limiter.release(['global']);
    expect(granted).toEqual([0, 2]);
    expect(limiter.waiting).toBe(0);
  });

  it('never exceeds a capacity and never strands a request that could run', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('request' as const), limits: fc.subarray(['a', 'b', 'c']) }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('withdraw' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 60 }),
        fc.record({
          a: fc.integer({ min: 1, max: 3 }),
          b: fc.integer({ min: 1, max: 3 }),
          c: fc.integer({ min: 1, max: 3 }),
        }),
        (ops, caps) => {
          const limiter = new Limiter({ ...caps, global: 4 });
          const holding: string[][] = [];
          const waiting = new Map<number, SlotRequest>();
          let seq = 0;
          const check = () => {
            for (const name of ['a', 'b', 'c', 'global'] as const) {
              const used = holding.filter((h) => h.includes(name)).length;
              expect(used).toBe(limiter.used(name));
              expect(used).toBeLessThanOrEqual(name === 'global' ? 4 : caps[name]);
            }
          };
          for (const o of ops) {
            if (o.kind === 'request') {
              const limits = ['global', ...o.limits];
              const id = seq++;
              const request: SlotRequest = {
                seq: id,
                limits,
                grant: () => {
                  waiting.delete(id);
                  holding.push(limits);
                },
              };
              waiting.set(id, request);
              limiter.request(request);
            } else if (o.kind === 'withdraw') {
              const ids = [...waiting.keys()];
              if (ids.length > 0) {
                const id = ids[o.pick % ids.length] as number;
                limiter.withdraw(waiting.get(id) as SlotRequest);
                waiting.delete(id);
                expect(limiter.waiting).toBe(waiting.size);
              }
            } else if (holding.length > 0) {
              const [released] = holding.splice(o.pick % holding.length, 1);
              limiter.release(released as string[]);
            }
            check();
          }
          // Release everything: every waiting request must get its turn.
          while (holding.length > 0) {
            limiter.release(holding.shift() as string[]);
            check();
          }
          expect(waiting.size).toBe(0);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
