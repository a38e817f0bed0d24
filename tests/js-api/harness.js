// A testharness.js stand-in for the WebAssembly JS-API tests of the web-platform-tests
// (vendored in wpt/), for node: one test file (its `// META: script=` helpers first) runs in
// the realm of the caller, with a given object as the `WebAssembly` it sees.
//
// Same realm, on purpose: the tests compare prototypes and constructors with identity
// (`Object.getPrototypeOf(fn) === Function.prototype`, `e.constructor === TypeError`), so the
// facade and the test must share their intrinsics. The scripts of one file are evaluated as
// the body of a single function called with the global object as `this`: their top-level
// declarations are shared between them (as scripts of one page share their global scope),
// and what they put on `this` is a global, as in a page. The given object becomes the global
// `WebAssembly` (with the attributes of the host's own) and is the `WebAssembly` the
// function's code sees; so a process runs one test file (run.js starts one per file), and
// loads the implementation under test before it.
//
// The assertions have testharness.js's semantics (same-value comparisons, `assert_throws_js`
// checking `constructor` and `name`, tests and promise tests run in order, a failing `setup`
// ending the file, unnamed tests named as testharness.js names them). `assert_throws` and
// `promise_rejects` are the legacy forms that limits.any.js still calls. Nothing else is
// provided: a test calling something testharness.js lacks fails as it would in a browser.
'use strict';

const fs = require('fs');
const path = require('path');
const vm = require('vm');

const WPT_ROOT = path.join(__dirname, 'wpt');

class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}

const REPLACEMENTS = {
  0: '0', 1: 'x01', 2: 'x02', 3: 'x03', 4: 'x04', 5: 'x05', 6: 'x06', 7: 'x07', 8: 'b', 9: 't',
  10: 'n', 11: 'v', 12: 'f', 13: 'r', 14: 'x0e', 15: 'x0f', 16: 'x10', 17: 'x11', 18: 'x12',
  19: 'x13', 20: 'x14', 21: 'x15', 22: 'x16', 23: 'x17', 24: 'x18', 25: 'x19', 26: 'x1a',
  27: 'x1b', 28: 'x1c', 29: 'x1d', 30: 'x1e', 31: 'x1f', 0xfffd: 'ufffd', 0xfffe: 'ufffe', 0xffff: 'uffff',
};

/** testharness.js's format_value (without the DOM node cases). */
function format_value(val, seen) {
  if (!seen) seen = [];
  if (typeof val === 'object' && val !== null) {
    if (seen.indexOf(val) >= 0) return '[...]';
    seen.push(val);
  }
  if (Array.isArray(val)) return `[${val.map((x) => format_value(x, seen)).join(', ')}]`;
  switch (typeof val) {
    case 'string': {
      let s = val.replace(/\\/g, '\\\\');
      for (const p in REPLACEMENTS) s = s.replace(new RegExp(String.fromCharCode(Number(p)), 'g'), `\\${REPLACEMENTS[p]}`);
      return `"${s.replace(/"/g, '\\"')}"`;
    }
    case 'boolean':
    case 'undefined':
      return String(val);
    case 'number':
      return val === 0 && 1 / val === -Infinity ? '-0' : String(val);
    case 'object':
      if (val === null) return 'null';
    // falls through
    default:
      try {
        const s = String(val);
        return `${typeof val} "${s.length > 1000 ? `${s.substring(0, 997)}...` : s}"`;
      } catch (e) {
        return `[stringifying object threw ${String(e)} with type ${String(typeof e)}]`;
      }
  }
}

function make_message(function_name, description, error, substitutions) {
  const text = error.replace(/\$\{([^}]+)\}/g, (_, name) => {
    if (!substitutions || !Object.prototype.hasOwnProperty.call(substitutions, name)) return `\${${name}}`;
    return format_value(substitutions[name]);
  });
  return `${function_name}: ${description ? `${description} ` : ''}${text}`;
}

function assert(expected_true, function_name, description, error, substitutions) {
  if (expected_true !== true) throw new AssertionError(make_message(function_name, description, error, substitutions));
}

function same_value(x, y) {
  if (y !== y) return x !== x;
  if (x === 0 && y === 0) return 1 / x === 1 / y;
  return x === y;
}

// ---------------------------------------------------------------- assertions

function assert_true(actual, description) {
  assert(actual === true, 'assert_true', description, 'expected true got ${actual}', { actual });
}

function assert_false(actual, description) {
  assert(actual === false, 'assert_false', description, 'expected false got ${actual}', { actual });
}

function assert_equals(actual, expected, description) {
  if (typeof actual !== typeof expected) {
    assert(false, 'assert_equals', description,
      `expected (${typeof expected}) \${expected} but got (${typeof actual}) \${actual}`, { expected, actual });
    return;
  }
  assert(same_value(actual, expected), 'assert_equals', description, 'expected ${expected} but got ${actual}', { expected, actual });
}

function assert_not_equals(actual, expected, description) {
  assert(!same_value(actual, expected), 'assert_not_equals', description, 'got disallowed value ${actual}', { actual });
}

function assert_array_equals(actual, expected, description) {
  assert(typeof actual === 'object' && actual !== null && 'length' in actual, 'assert_array_equals', description,
    'value is ${actual}, expected array', { actual });
  assert(actual.length === expected.length, 'assert_array_equals', description,
    'lengths differ, expected array ${expected} length ${expectedLength}, got ${actual} length ${actualLength}',
    { expected, expectedLength: expected.length, actual, actualLength: actual.length });
  for (let i = 0; i < actual.length; i++) {
    assert(Object.prototype.hasOwnProperty.call(actual, i) === Object.prototype.hasOwnProperty.call(expected, i),
      'assert_array_equals', description, 'expected property ${i} to be ${expected} but was ${actual}',
      { i, expected: Object.prototype.hasOwnProperty.call(expected, i) ? 'present' : 'missing', actual: Object.prototype.hasOwnProperty.call(actual, i) ? 'present' : 'missing' });
    assert(same_value(expected[i], actual[i]), 'assert_array_equals', description,
      'expected property ${i} to be ${expected} but got ${actual}', { i, expected: expected[i], actual: actual[i] });
  }
}

function assert_own_property(object, property_name, description) {
  assert(object.hasOwnProperty(property_name), 'assert_own_property', description, 'expected property ${p} missing', { p: property_name });
}

function assert_not_own_property(object, property_name, description) {
  assert(!object.hasOwnProperty(property_name), 'assert_not_own_property', description,
    'unexpected property ${p} is found on object', { p: property_name });
}

function assert_class_string(object, class_string, description) {
  const actual = {}.toString.call(object);
  const expected = `[object ${class_string}]`;
  assert(same_value(actual, expected), 'assert_class_string', description, 'expected ${expected} but got ${actual}', { expected, actual });
}

function assert_unreached(description) {
  assert(false, 'assert_unreached', description, 'Reached unreachable code');
}

function assert_throws_js_impl(constructor, func, description, assertion_type) {
  try {
    func.call(undefined);
    assert(false, assertion_type, description, '${func} did not throw', { func });
  } catch (e) {
    if (e instanceof AssertionError) throw e;
    assert(typeof e === 'object', assertion_type, description, '${func} threw ${e} with type ${type}, not an object', { func, e, type: typeof e });
    assert(e !== null, assertion_type, description, '${func} threw null, not an object', { func });
    assert(typeof constructor === 'function', assertion_type, description, '${constructor} is not a constructor', { constructor });
    let obj = constructor;
    while (obj) {
      if (typeof obj === 'function' && obj.name === 'Error') break;
      obj = Object.getPrototypeOf(obj);
    }
    assert(obj != null, assertion_type, description, '${constructor} is not an Error subtype', { constructor });
    assert(e.constructor === constructor && e.name === constructor.name, assertion_type, description,
      '${func} threw ${actual} (${actual_name}) expected instance of ${expected} (${expected_name})',
      { func, actual: e, actual_name: e.name, expected: constructor, expected_name: constructor.name });
  }
}

function assert_throws_js(constructor, func, description) {
  assert_throws_js_impl(constructor, func, description, 'assert_throws_js');
}

function assert_throws_exactly_impl(exception, func, description, assertion_type) {
  try {
    func.call(undefined);
    assert(false, assertion_type, description, '${func} did not throw', { func });
  } catch (e) {
    if (e instanceof AssertionError) throw e;
    assert(same_value(e, exception), assertion_type, description, '${func} threw ${e} but we expected it to throw ${exception}',
      { func, e, exception });
  }
}

function assert_throws_exactly(exception, func, description) {
  assert_throws_exactly_impl(exception, func, description, 'assert_throws_exactly');
}

/** The legacy assert_throws, for an expected exception given as an object: compares `name`. */
function assert_throws(code, func, description) {
  try {
    func.call(undefined);
    assert(false, 'assert_throws', description, '${func} did not throw', { func });
  } catch (e) {
    if (e instanceof AssertionError) throw e;
    assert(typeof e === 'object', 'assert_throws', description, '${func} threw ${e} with type ${type}, not an object', { func, e, type: typeof e });
    assert(e !== null, 'assert_throws', description, '${func} threw null, not an object', { func });
    if (typeof code !== 'object' || code === null) throw new AssertionError('Test bug: assert_throws() needs an exception object here');
    assert('name' in e && e.name == code.name, 'assert_throws', description,
      '${func} threw ${actual} (${actual_name}) expected ${expected} (${expected_name})',
      { func, actual: e, actual_name: e.name, expected: code, expected_name: code.name });
  }
}

// ---------------------------------------------------------------- tests

const PASS = 'PASS';
const FAIL = 'FAIL';
const TIMEOUT = 'TIMEOUT';
const NOTRUN = 'NOTRUN';

/**
 * Starts one WPT test file: its synchronous part runs now, its promise tests one after the
 * other. Returns `{ finished, result }`: `finished` resolves when the last promise test has
 * settled; `result()` is `{ harness, tests }`, where `harness` is 'OK' or 'ERROR: why' (a
 * failing setup, an exception at the top level, a test function returning a value, a promise
 * rejection nobody handled before `result()` was called) and `tests` the subtests in order
 * of creation, each `{ name, status, message }` with status PASS, FAIL, TIMEOUT (a promise
 * test that did not settle in `timeoutMs`) or NOTRUN. Unhandled rejections are watched from
 * the start until the first call of `result()`; a caller that can wait for the event loop
 * to empty (a process of its own) should, since a test may leave a promise behind.
 *
 * @param {string} file path of the `.any.js` file
 * @param {object} WebAssembly the namespace object the test sees
 * @param {{ timeoutMs?: number }} [options]
 */
function startTestFile(file, WebAssembly, options = {}) {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const tests = [];
  let harnessError = null;
  let complete = false;
  const promiseQueue = [];

  function harnessFail(message) {
    if (harnessError === null) harnessError = message;
  }

  class Test {
    constructor(name) {
      this.name = name;
      this.status = NOTRUN;
      this.message = null;
      this.finished = false;
      this.cleanups = [];
      if (!complete) tests.push(this);
      else this.finished = true;
    }

    step(func, this_obj, ...args) {
      if (this.finished || this.status === FAIL) return undefined;
      try {
        return func.apply(arguments.length === 1 ? this : this_obj, args);
      } catch (e) {
        this.fail(e);
        return undefined;
      }
    }

    step_func(func, this_obj) {
      const t = this;
      const self = arguments.length === 1 ? t : this_obj;
      return function (...args) { return t.step(func, self, ...args); };
    }

    unreached_func(description) {
      return this.step_func(() => { assert_unreached(description); });
    }

    add_cleanup(f) {
      this.cleanups.push(f);
    }

    fail(e) {
      if (this.status === FAIL) return;
      this.status = FAIL;
      this.message = String(typeof e === 'object' && e !== null ? e.message : e);
    }

    done() {
      if (this.finished) return;
      this.finished = true;
      if (this.status === NOTRUN) this.status = PASS;
      for (const f of this.cleanups) {
        try {
          f();
        } catch (e) {
          harnessFail(`cleanup of "${this.name}" threw: ${String(e)}`);
        }
      }
    }
  }

  let untitled = 0;
  /** testharness.js's get_test_name: a one-line arrow function's body, else "Untitled N". */
  function testName(func, name) {
    if (name) return name;
    if (func) {
      const code = func.toString();
      const arrow = code.match(/^\(\)\s*=>\s*(?:{(.*)}\s*|(.*))$/);
      if (arrow !== null && !/[\u000A\u000D\u2028\u2029]/.test(code)) {
        const trimmed = (arrow[1] !== undefined ? arrow[1] : arrow[2]).trim().replace(/^([^;]*)(;\s*)+$/, '$1');
        if (trimmed) return trimmed;
      }
    }
    const suffix = untitled > 0 ? ` ${untitled}` : '';
    untitled++;
    return `Untitled${suffix}`;
  }

  function test(func, name) {
    const t = new Test(testName(func, name));
    if (t.finished) return;
    const value = t.step(func, t, t);
    if (value !== undefined) harnessFail(`Test named "${t.name}" passed a function to \`test\` that returned a value.`);
    t.done();
  }

  function promise_test(func, name) {
    const t = new Test(testName(func, name));
    if (t.finished) return;
    promiseQueue.push(() => new Promise((resolve) => {
      const promise = t.step(func, t, t);
      t.step(() => {
        assert(!!promise, 'promise_test', null, "test body must return a 'thenable' object (received ${value})", { value: promise });
        assert(typeof promise.then === 'function', 'promise_test', null,
          "test body must return a 'thenable' object (received an object with no `then` method)", null);
      });
      let timer = null;
      const finish = () => {
        if (timer !== null) clearTimeout(timer);
        t.done();
        resolve();
      };
      if (t.status === FAIL) { finish(); return; }
      timer = setTimeout(() => {
        timer = null;
        if (!t.finished) {
          t.status = TIMEOUT;
          t.message = 'Test timed out';
        }
        finish();
      }, timeoutMs);
      Promise.resolve(promise)
        .catch(t.step_func((value) => {
          if (value instanceof AssertionError) throw value;
          assert(false, 'promise_test', null, 'Unhandled rejection with value: ${value}', { value });
        }))
        .then(finish);
    }));
  }

  function bring_promise_to_current_realm(promise) {
    return new Promise(promise.then.bind(promise));
  }

  function promise_rejects_js(t, constructor, promise, description) {
    return bring_promise_to_current_realm(promise)
      .then(t.unreached_func(`Should have rejected: ${description}`))
      .catch((e) => { assert_throws_js_impl(constructor, () => { throw e; }, description, 'promise_rejects_js'); });
  }

  function promise_rejects_exactly(t, exception, promise, description) {
    return bring_promise_to_current_realm(promise)
      .then(t.unreached_func(`Should have rejected: ${description}`))
      .catch((e) => { assert_throws_exactly_impl(exception, () => { throw e; }, description, 'promise_rejects_exactly'); });
  }

  /** The legacy promise_rejects, for an expected exception given as an object. */
  function promise_rejects(t, code, promise, description) {
    return bring_promise_to_current_realm(promise)
      .then(t.unreached_func(`Should have rejected: ${description}`))
      .catch((e) => { assert_throws(code, () => { throw e; }, description); });
  }

  function setup(func_or_properties, maybe_properties) {
    const func = typeof func_or_properties === 'function' ? func_or_properties : null;
    if (func === null || complete) return;
    try {
      func();
    } catch (e) {
      harnessFail(`setup threw: ${String(e)}`);
      complete = true;
    }
    void maybe_properties;
  }

  function done() {}

  const harness = {
    test, promise_test, setup, done, format_value,
    promise_rejects_js, promise_rejects_exactly, promise_rejects,
    assert_true, assert_false, assert_equals, assert_not_equals, assert_array_equals,
    assert_own_property, assert_not_own_property, assert_class_string, assert_unreached,
    assert_throws_js, assert_throws_exactly, assert_throws,
  };

  const onUnhandled = (reason) => { harnessFail(`Unhandled rejection: ${reason && reason.message !== undefined ? reason.message : String(reason)}`); };
  process.on('unhandledRejection', onUnhandled);

  const source = fileSource(file);
  const names = Object.keys(harness);
  const wrapper = `(function (WebAssembly, ${names.join(', ')}) {${source.strict ? '"use strict";' : ''}\n${source.text}\n})`;
  Object.defineProperty(globalThis, 'WebAssembly', { value: WebAssembly, writable: true, enumerable: false, configurable: true });
  try {
    const fn = vm.runInThisContext(wrapper, { filename: file });
    fn.call(globalThis, WebAssembly, ...names.map((n) => harness[n]));
  } catch (e) {
    harnessFail(`uncaught exception: ${e && e.stack ? e.stack.split('\n')[0] : String(e)}`);
  }

  const finished = (async () => {
    for (const run of promiseQueue) {
      if (complete) break;
      await run();
    }
  })();
  let watching = true;
  function result() {
    if (watching) process.off('unhandledRejection', onUnhandled);
    watching = false;
    return {
      harness: harnessError === null ? 'OK' : `ERROR: ${harnessError}`,
      tests: tests.map((t) => ({ name: t.name, status: t.status, message: t.message })),
    };
  }
  return { finished, result };
}

/**
 * The source of a test file with its helper scripts before it (`// META: script=` lines,
 * `/wasm/jsapi/` standing for wpt/). `strict` is true when the test file itself starts with
 * a "use strict" directive (its helpers then run strict too).
 */
function fileSource(file) {
  const text = fs.readFileSync(file, 'utf8');
  const parts = [];
  for (const m of text.matchAll(/^\/\/ META: script=(\S+)$/gm)) {
    const ref = m[1];
    const p = ref.startsWith('/wasm/jsapi/') ? path.join(WPT_ROOT, ref.slice('/wasm/jsapi/'.length)) : path.resolve(path.dirname(file), ref);
    parts.push(fs.readFileSync(p, 'utf8'));
  }
  parts.push(text);
  const strict = /^(?:\s*\/\/[^\n]*\n|\s*\/\*[\s\S]*?\*\/)*\s*(['"])use strict\1/.test(text);
  return { text: parts.join('\n;\n'), strict };
}

/** Every `.any.js` file of wpt/, relative paths, sorted. */
function testFiles() {
  const out = [];
  (function walk(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.any.js')) out.push(path.relative(WPT_ROOT, p).split(path.sep).join('/'));
    }
  })(WPT_ROOT);
  return out.sort();
}

module.exports = { startTestFile, testFiles, WPT_ROOT };
