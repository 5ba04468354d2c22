// Stand-in for the `vscode` module when the benchmark times loading the extension bundle outside
// VS Code: every property, call and `new` returns another stand-in.
'use strict';
function stub() {
  const target = function () {};
  return new Proxy(target, {
    get(_t, prop) {
      if (prop === Symbol.toPrimitive) return () => '';
      if (prop === 'then') return undefined; // not a thenable
      return stub();
    },
    apply() {
      return stub();
    },
    construct() {
      return stub();
    },
  });
}
module.exports = stub();
