// TypeScript declarations for Coldbrew's ES module (import Coldbrew from
// 'coldbrew-python'): the same types as the CommonJS view, coldbrew.d.ts.
import Coldbrew = require('./coldbrew.js');

export default Coldbrew;
export { Coldbrew };
export declare const PythonError: Coldbrew.PythonErrorConstructor;
export type PythonError = Coldbrew.PythonError;
