// The synchronous API's shared test bodies (tests/shared/api-bodies.mjs) in
// Node, once on the calling thread and once in worker mode: the same bodies,
// so both modes are held to the same behaviour. Each mode has one instance
// for all its bodies, in order.
import { test, describe, before, after } from 'node:test';
import { Coldbrew, loadedInstance, capture } from './helpers.mjs';
import { groups } from '../shared/api-bodies.mjs';

const modes = {
  'calling thread': () => loadedInstance(),
  worker: async () => {
    const cb = Coldbrew.createNewInstance();
    await cb.load({ hideWarnings: true, worker: true });
    capture(cb);
    return cb;
  },
};

for (const [mode, make] of Object.entries(modes)) {
  describe(`the synchronous API (${mode})`, () => {
    let cb;
    before(async () => { cb = await make(); });
    after(() => cb.unload());
    for (const [group, bodies] of Object.entries(groups)) {
      describe(group, () => {
        for (const [name, body] of Object.entries(bodies)) test(name, () => body(cb));
      });
    }
  });
}
