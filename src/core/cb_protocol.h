/* cb_protocol.h: the one definition of the contract between the C core and
 * the JavaScript API.
 *
 * Every number both sides must agree on is listed here once, as an X-macro
 * list: value record tags and flags (cb_value.c / src/js/bridge.js), the
 * operations Python asks of JS values and their result codes (cb_jsvar.c /
 * jsOp in bridge.js), the binary and unary operator codes, the entry points
 * of async runs (cb_async.c / runAsyncCall in api.js), shared limits and
 * paths. C expands the lists into enums below; the build
 * (build/assemble_js.py) reads this file and writes the same lists as JS
 * constants (`const CB_OP_GET = 1;` ..., and the CB_T object) ahead of the
 * API code, so no number of the protocol is written by hand in JS.
 * The lists are plain `X(NAME, value)` lines so that the generator can read
 * them with one regular expression: keep one entry per X(...), no nesting.
 */
#ifndef CB_PROTOCOL_H
#define CB_PROTOCOL_H

/* Value record tags (format: cb_value.c's header). JS: CB_T.NAME */
#define CB_PROTOCOL_TAGS(X) \
    X(UNDEF, 0) X(NONE, 1) X(FALSE, 2) X(TRUE, 3) X(INT, 4) X(FLOAT, 5) X(BIGINT, 6) X(STR16, 7) \
    X(STR8, 8) X(BYTES, 9) X(LIST, 10) X(DICT, 11) X(PYOBJ, 12) X(JSOBJ, 13) X(JSMETHOD, 14) X(STOP, 15)

/* Flags of a PYOBJ record. JS: CB_F_NAME */
#define CB_PROTOCOL_FLAGS(X) \
    X(CALLABLE, 1) X(CLASS, 2) X(ITERABLE, 4)

/* Operations on a JS value, cb_js_op(op, ...). JS: CB_OP_NAME */
#define CB_PROTOCOL_OPS(X) \
    X(GET, 1) X(SET, 2) X(DEL, 3) X(CALL, 4) X(LEN, 5) X(CONTAINS, 6) X(ITER, 7) X(NEXT, 8) X(STR, 9) \
    X(REPR, 10) X(TYPE, 11) X(DIR, 12) X(BOOL, 13) X(HASH, 14) X(BINOP, 15) X(GLOBAL, 16) \
    X(GETITEM, 17) X(SETITEM, 18) X(DELITEM, 19) X(UNARY, 20) X(LIVE, 21) X(RESOLVE, 22) X(SET_ERROR, 23)

/* cb_js_op's results besides a record length. JS: CB_R_NAME */
#define CB_PROTOCOL_RESULTS(X) \
    X(ERROR, -1) X(UNSUPPORTED, -2) X(MISSING, -3) X(SYNC_PROMISE, -4)

/* Operand of OP_BINOP; the comparisons follow CPython's Py_LT..Py_GE order. JS: CB_BINOP_NAME */
#define CB_PROTOCOL_BINOPS(X) \
    X(ADD, 0) X(SUB, 1) X(MUL, 2) X(DIV, 3) X(MOD, 4) X(POW, 5) X(AND, 6) X(OR, 7) X(XOR, 8) \
    X(LSHIFT, 9) X(RSHIFT, 10) X(LT, 11) X(LE, 12) X(EQ, 13) X(NE, 14) X(GT, 15) X(GE, 16)

/* Operand of OP_UNARY. JS: CB_UNOP_NAME */
#define CB_PROTOCOL_UNOPS(X) \
    X(NEG, 0) X(POS, 1) X(INVERT, 2)

/* Entry points of cb_rt_async_call(which, ...). JS: CB_ENTRY_NAME */
#define CB_PROTOCOL_ENTRIES(X) \
    X(RUN, 0) X(RUN_FILE, 1) X(CALL_NAMED, 2) X(LOOKUP, 3) X(GET, 4) X(CALL, 5) X(CONSTRUCT, 6)

/* Limits both sides apply. JS: CB_NAME */
#define CB_PROTOCOL_LIMITS(X) \
    X(MAX_DEPTH, 200)        /* containers nested deeper cross as bridge variables */ \
    X(MAX_COPY_ITEMS, 4194304) /* so do values with more elements than this (2**22) in all */

/* Paths in the virtual file system both sides use: every `#define CB_NAME "string"`
 * of this file becomes `const CB_NAME = "string";` in JS. */
#define CB_PYTHON_HOME "/usr/local"
#define CB_STDLIB_PATH "/usr/local/lib/python313.zip"
/* The stdlib's bundles (stdlib/NAME.zip) once fetched: src/py/_coldbrew/stdlib_bundles.py's BUNDLES_DIR. */
#define CB_STDLIB_BUNDLES_PATH "/usr/local/lib/python3.13/stdlib-bundles"
/* A JS Promise reached in a synchronous run (CB_R_SYNC_PROMISE): JS prints it, Python raises RuntimeError with it. */
#define CB_SYNC_PROMISE_MESSAGE "Python tried to access a JavaScript Promise outside asynchronous mode: a synchronous run cannot wait for it; run the Python code with runAsync(), runFileAsync() or runFunctionAsync() to have Python wait for Promises"
#define CB_SITE_PACKAGES_PATH "/usr/local/lib/python3.13/site-packages"

#define CB_X_ENUM(prefix, name, value) prefix##name = (value),
#define CB_X_TAG(name, value) CB_X_ENUM(CB_T_, name, value)
#define CB_X_FLAG(name, value) CB_X_ENUM(CB_F_, name, value)
#define CB_X_OP(name, value) CB_X_ENUM(CB_OP_, name, value)
#define CB_X_RESULT(name, value) CB_X_ENUM(CB_R_, name, value)
#define CB_X_BINOP(name, value) CB_X_ENUM(CB_BINOP_, name, value)
#define CB_X_UNOP(name, value) CB_X_ENUM(CB_UNOP_, name, value)
#define CB_X_ENTRY(name, value) CB_X_ENUM(CB_ENTRY_, name, value)
#define CB_X_LIMIT(name, value) CB_X_ENUM(CB_, name, value)

enum { CB_PROTOCOL_TAGS(CB_X_TAG) };
enum { CB_PROTOCOL_FLAGS(CB_X_FLAG) };
enum { CB_PROTOCOL_OPS(CB_X_OP) };
enum { CB_PROTOCOL_RESULTS(CB_X_RESULT) };
enum { CB_PROTOCOL_BINOPS(CB_X_BINOP) };
enum { CB_PROTOCOL_UNOPS(CB_X_UNOP) };
enum { CB_PROTOCOL_ENTRIES(CB_X_ENTRY) };
enum { CB_PROTOCOL_LIMITS(CB_X_LIMIT) };

#endif
