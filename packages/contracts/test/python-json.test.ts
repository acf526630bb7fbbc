import {
  ContractError,
  PyFloat,
  PyInt,
  compareCodePoints,
  parsePythonJson,
  pyFloatRepr,
  pyStringRepr,
  renderPythonJson,
  type PyValue,
} from '../src';

const roundTrip = (text: string, sortKeys = true): string =>
  renderPythonJson(parsePythonJson(text), { sortKeys });

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof ContractError ? err.code : `not a ContractError: ${String(err)}`;
  }
  return undefined;
}

describe('pyFloatRepr (expected values are CPython 3.11 repr outputs)', () => {
  test.each([
    [4278, '4278.0'],
    [0.1, '0.1'],
    [0.30000000000000004, '0.30000000000000004'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [2.5e-6, '2.5e-06'],
    [1.5e-5, '1.5e-05'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [9999999999999998, '9999999999999998.0'],
    [1.2345e20, '1.2345e+20'],
    [123456789.12345679, '123456789.12345679'],
    [-0, '-0.0'],
    [0, '0.0'],
    [-1.5, '-1.5'],
    [5e-324, '5e-324'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [1e21, '1e+21'],
    [1e-7, '1e-07'],
    [0.000123, '0.000123'],
    [1e100, '1e+100'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('%p -> %s', (x, expected) => {
    expect(pyFloatRepr(x)).toBe(expected);
  });
});

describe('parsePythonJson keeps what Python keeps', () => {
  test('int literals stay ints, anything with . or e is a float', () => {
    const v = parsePythonJson('[4278, 4278.0, 1e3, 1E3, 1.5e+2, -0, -0.0, 0]') as PyValue[];
    expect(v.map((x) => x?.constructor.name)).toEqual([
      'PyInt',
      'PyFloat',
      'PyFloat',
      'PyFloat',
      'PyFloat',
      'PyInt',
      'PyFloat',
      'PyInt',
    ]);
    expect(renderPythonJson(v)).toBe('[4278,4278.0,1000.0,1000.0,150.0,0,-0.0,0]');
  });

  test('big ints keep every digit', () => {
    const big = '123456789012345678901234567890123456789';
    expect(roundTrip(`{"n":${big},"m":-${big}}`)).toBe(`{"m":-${big},"n":${big}}`);
  });

  test('ints beyond the 4300-digit limit of Python are refused like json.loads does', () => {
    expect(parsePythonJson('1'.repeat(4300))).toBeInstanceOf(PyInt);
    expect(codeOf(() => parsePythonJson('1'.repeat(4301)))).toBe('PY_JSON_INVALID');
  });

  test('NaN, Infinity and -Infinity literals are accepted; huge exponents overflow to Infinity', () => {
    expect(roundTrip('[NaN,Infinity,-Infinity,1e400,-1e400]')).toBe(
      '[NaN,Infinity,-Infinity,Infinity,-Infinity]',
    );
  });

  test('duplicate keys: the last value wins', () => {
    expect(roundTrip('{"a":1,"b":2,"a":3}', false)).toBe('{"a":3,"b":2}');
  });

  test('escapes decode, surrogate pair escapes join', () => {
    const v = parsePythonJson('"\\u00e9\\n\\t\\/\\"\\\\\\ud83d\\ude00\\u2028"');
    expect(v).toBe('é\n\t/"\\😀\u2028');
  });

  test.each([
    ['', 'expecting value'],
    ['{"a":1,}', 'property name'],
    ['[1,]', 'expecting value'],
    ['01', 'extra data'],
    ['1.', 'extra data'],
    ['1e', 'extra data'],
    ['-', 'expecting value'],
    ['"a\nb"', 'control character'],
    ['"\\x41"', 'invalid escape'],
    ['"\\u12"', '\\uXXXX'],
    ['\ufeff{}', 'BOM'],
    ['{"a" 1}', "':'"],
    ['[1 2]', "','"],
    ['nul', 'expecting value'],
    ['{} {}', 'extra data'],
    ["{'a':1}", 'property name'],
    ['-NaN', 'expecting value'],
  ])('rejects %j (%s)', (text, why) => {
    expect(() => parsePythonJson(text)).toThrow(why);
    expect(codeOf(() => parsePythonJson(text))).toBe('PY_JSON_INVALID');
  });

  test('surrounding JSON whitespace is accepted, other whitespace is not', () => {
    expect(roundTrip(' \t\r\n{ "a" : [ 1 , 2 ] }\n ')).toBe('{"a":[1,2]}');
    expect(codeOf(() => parsePythonJson('\u00a0{}'))).toBe('PY_JSON_INVALID');
  });
});

describe('renderPythonJson writes what json.dumps writes', () => {
  test('strings: only quote, backslash and control characters are escaped', () => {
    expect(pyStringRepr('a"b\\c\u0000\u0001\u001f\b\f\n\r\t\u007fé😀\u2028')).toBe(
      '"a\\"b\\\\c\\u0000\\u0001\\u001f\\b\\f\\n\\r\\t\u007fé😀\u2028"',
    );
  });

  test('keys sort by code point, not by UTF-16 unit (astral after U+FFFF)', () => {
    const obj = new Map<string, PyValue>([
      ['😀', new PyInt('1')],
      ['\uffff', new PyInt('2')],
      ['\ue000', new PyInt('3')],
      ['z', new PyInt('4')],
      ['', new PyInt('5')],
    ]);
    // sorted(["😀", "\uffff", "\ue000", "z", ""]) in Python.
    expect(renderPythonJson(obj, { sortKeys: true })).toBe(
      '{"":5,"z":4,"\ue000":3,"\uffff":2,"😀":1}',
    );
    expect(['😀', '\uffff'].sort()).toEqual(['😀', '\uffff']);
    expect(['😀', '\uffff'].sort(compareCodePoints)).toEqual(['\uffff', '😀']);
  });

  test('nested arrays and objects, compact separators, insertion order without sortKeys', () => {
    const v = parsePythonJson('{"b":[1,{"y":true,"x":null}],"a":{}, "c":[]}');
    expect(renderPythonJson(v)).toBe('{"b":[1,{"y":true,"x":null}],"a":{},"c":[]}');
    expect(renderPythonJson(v, { sortKeys: true })).toBe(
      '{"a":{},"b":[1,{"x":null,"y":true}],"c":[]}',
    );
  });

  test('PyInt.of and PyFloat build numbers explicitly', () => {
    expect(
      renderPythonJson([PyInt.of(-0), PyInt.of(12), PyInt.of(2n ** 70n), new PyFloat(12)]),
    ).toBe('[0,12,1180591620717411303424,12.0]');
    expect(codeOf(() => PyInt.of(1.5))).toBe('PY_JSON_UNSUPPORTED');
    expect(codeOf(() => new PyInt('007'))).toBe('PY_JSON_UNSUPPORTED');
  });

  test('bare JS numbers and other objects are refused (ambiguous int/float)', () => {
    expect(codeOf(() => renderPythonJson(12 as unknown as PyValue))).toBe('PY_JSON_UNSUPPORTED');
    expect(codeOf(() => renderPythonJson({ a: 1 } as unknown as PyValue))).toBe(
      'PY_JSON_UNSUPPORTED',
    );
  });
});
