"""Camunda Spin's JSON API in JavaScript scripts, as Camunda 7 scripts use it.

In Camunda a JSON variable reaches a script as a SpinJsonNode, and `S(text)` makes one:
`S(order).prop("lines").elements()`, `.prop("price").numberValue()`, `.prop("x", 1)`,
`.toString()`. Here JSON variables are plain JSON, so a script sees each object or array
variable as that value behind a Proxy: plain property access (`order.price`) reads it as
JavaScript does, and the Spin methods a property of that name does not hide work as in
Camunda. `prop()` of a number, text or boolean gives a Spin value node. Whatever goes back
into a variable is plain JSON again. Spin's XML (`S("<a/>")`) is not here: it is refused
with a message saying so. Java lists come back as arrays that also answer size()/get(i).
"""

from __future__ import annotations

SPIN_PRELUDE = r"""
var __spinOf = (function () {
  var targets = new WeakMap(), proxies = new WeakMap();
  function kind(v) {
    if (v === null || v === undefined) { return "NULL"; }
    if (Array.isArray(v)) { return "ARRAY"; }
    return ({number: "NUMBER", string: "STRING", boolean: "BOOLEAN"})[typeof v] || "OBJECT";
  }
  function expected(want, v) {
    throw new Error("SpinDataFormatException: Expected '" + want + "', got '" + kind(v) + "'");
  }
  function list(items) {
    items.size = function () { return items.length; };
    items.get = function (i) { return items[i]; };
    return items;
  }
  function raw(v) {
    if (v instanceof SpinValue) { return v.__value; }
    if (v !== null && typeof v === "object" && targets.has(v)) { return targets.get(v); }
    return v;
  }
  function SpinValue(v) { this.__value = v; }
  var common = {
    isObject: function (t) { return kind(t) === "OBJECT"; },
    isArray: function (t) { return kind(t) === "ARRAY"; },
    isString: function (t) { return kind(t) === "STRING"; },
    isNumber: function (t) { return kind(t) === "NUMBER"; },
    isBoolean: function (t) { return kind(t) === "BOOLEAN"; },
    isNull: function (t) { return kind(t) === "NULL"; },
    isValue: function (t) { return ["STRING", "NUMBER", "BOOLEAN"].indexOf(kind(t)) >= 0; },
    stringValue: function (t) { return kind(t) === "STRING" ? t : expected("String", t); },
    numberValue: function (t) { return kind(t) === "NUMBER" ? t : expected("Number", t); },
    boolValue: function (t) { return kind(t) === "BOOLEAN" ? t : expected("Boolean", t); },
    value: function (t) {
      return ["STRING", "NUMBER", "BOOLEAN"].indexOf(kind(t)) >= 0 ? t : expected("value", t);
    },
    toString: function (t) { return JSON.stringify(t); },  // JSON text, as Spin writes it
    prop: function (t, name, value) {
      if (kind(t) !== "OBJECT") { expected("Object", t); }
      if (arguments.length > 2) { t[name] = raw(value); return wrap(t); }
      if (!Object.prototype.hasOwnProperty.call(t, name)) {
        throw new Error("SpinJsonPropertyException: Unable to find '" + name + "'");
      }
      return wrap(t[name]);
    },
    hasProp: function (t, name) {
      return kind(t) === "OBJECT" && Object.prototype.hasOwnProperty.call(t, name);
    },
    deleteProp: function (t, name) { delete t[name]; return wrap(t); },
    fieldNames: function (t) { return list(kind(t) === "OBJECT" ? Object.keys(t) : []); },
    elements: function (t) {
      return kind(t) === "ARRAY" ? list(t.map(wrap)) : expected("Array", t);
    },
    append: function (t, value) { t.push(raw(value)); return wrap(t); }
  };
  Object.keys(common).forEach(function (name) {
    SpinValue.prototype[name] = function () {
      return common[name].apply(null, [this.__value].concat([].slice.call(arguments)));
    };
  });
  SpinValue.prototype.toJSON = function () { return this.__value; };
  var handler = {
    get: function (t, name, receiver) {
      if (typeof name === "symbol" || Object.prototype.hasOwnProperty.call(t, name)) {
        return Reflect.get(t, name, receiver);
      }
      if (Object.prototype.hasOwnProperty.call(common, name)) {
        return function () {
          return common[name].apply(null, [t].concat([].slice.call(arguments)));
        };
      }
      return Reflect.get(t, name, receiver);
    },
    set: function (t, name, value) { t[name] = raw(value); return true; }
  };
  function wrap(v) {
    if (v === null || v === undefined) { return new SpinValue(null); }
    if (typeof v !== "object") { return new SpinValue(v); }
    v = raw(v);
    if (!proxies.has(v)) { var p = new Proxy(v, handler); proxies.set(v, p); targets.set(p, v); }
    return proxies.get(v);
  }
  wrap.raw = raw;
  wrap.variable = function (v) { return v !== null && typeof v === "object" ? wrap(v) : v; };
  return wrap;
})();
var S = function (input, format) {
  if (format !== undefined && !/json/i.test(String(format))) {
    throw new Error("S(): VocFlow reads JSON only, not " + format);
  }
  if (typeof input === "string") {
    if (/^\s*</.test(input)) { throw new Error("S(): VocFlow reads JSON only, not XML"); }
    return __spinOf(JSON.parse(input));
  }
  return __spinOf(input);
};
"""
