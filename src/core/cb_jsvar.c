/* cb_jsvar.c: JavaScript values used from Python (Coldbrew.JavaScriptVariable).
 *
 * A JavaScriptVariable holds an index into the instance's JS handle table
 * (src/js/bridge.js), plus the `this` a method was read from. Every
 * operation is one call, cb_js_op(op, handle, this, args, out, cap): C writes
 * the operands as value records (cb_value.c), JS does the operation and
 * writes the result record straight into a buffer on the C stack (or, when it
 * does not fit, keeps it for cb_js_take). JS exceptions are caught on the JS
 * side and raised here as Coldbrew.JavaScriptError, so no JS exception ever
 * unwinds through wasm frames.
 *
 * Ownership: the object owns its handles and gives them back in tp_dealloc,
 * on __destroy__() or on Coldbrew.destroy_all_variables() (all live objects
 * are kept on one intrusive list for that). Destroyed objects raise
 * ReferenceError on every use.
 */
#include "coldbrew.h"


EM_JS(int, cb_js_op, (int op, int handle, int this_handle, const char *args, char *out, int cap), {
    return Module.coldbrew.bridge.jsOp(op, handle, this_handle, args, out, cap);
});
/* The same operation inside an async run: the JS API replaces it with a
 * WebAssembly.Suspending import that resolves Promises (cb_async.c). */
EM_JS(int, cb_js_op_async, (int op, int handle, int this_handle, const char *args, char *out, int cap), {
    throw new Error('Coldbrew: asynchronous bridge operation without JSPI');
});
EM_JS(void, cb_js_take, (char *out), { Module.coldbrew.bridge.takeResult(out); });
EM_JS(void, cb_js_release_now, (int handle), { Module.coldbrew.bridge.releaseHandle(handle); });
EM_JS(int, cb_js_hold_last_error, (void), { return Module.coldbrew.bridge.holdLastError(); });

typedef struct cb_jsv {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    int32_t handle;
    int32_t this_handle;     /* -1 unless read as a method */
    int destroyed;
    int pinned;              /* kept by destroy_all_variables() (the runtime's own) */
    struct cb_jsv *prev, *next;   /* all live objects, for destroy_all_variables() */
} cb_jsv;

/* Handles given back on another Python thread (a JavaScriptVariable freed
 * there: the JS handle table is the main thread's) wait here until the main
 * thread's next JS operation. Both sides hold the GIL while they touch it. */
static int32_t *cb_jsv_orphans;
static size_t cb_jsv_orphan_count, cb_jsv_orphan_cap;

static void
cb_js_release(int32_t handle)
{
    if (CB_ON_MAIN_THREAD()) {
        cb_js_release_now(handle);
        return;
    }
    if (cb_jsv_orphan_count == cb_jsv_orphan_cap) {
        size_t cap = cb_jsv_orphan_cap ? cb_jsv_orphan_cap * 2 : 16;
        int32_t *grown = realloc(cb_jsv_orphans, cap * sizeof *grown);
        if (grown == NULL) {
            return;   /* out of memory: the JS value stays referenced until unload() */
        }
        cb_jsv_orphans = grown;
        cb_jsv_orphan_cap = cap;
    }
    cb_jsv_orphans[cb_jsv_orphan_count++] = handle;
}

static void
cb_jsv_release_orphans(void)
{
    while (cb_jsv_orphan_count > 0) {
        cb_js_release_now(cb_jsv_orphans[--cb_jsv_orphan_count]);
    }
}

static PyTypeObject *cb_jsv_type;
static PyTypeObject *cb_jsv_iter_type;
static cb_jsv cb_jsv_list = {.prev = &cb_jsv_list, .next = &cb_jsv_list};

static int
cb_jsv_check(PyObject *o)
{
    return cb_jsv_type != NULL && Py_IS_TYPE(o, cb_jsv_type);
}

static int
cb_jsv_alive(cb_jsv *v)
{
    if (v->destroyed) {
        PyErr_SetString(PyExc_ReferenceError,
                        "this JavaScript variable was destroyed (__destroy__() or destroy_all_variables()); "
                        "it can no longer be used");
        return 0;
    }
    return 1;
}

static int
cb_jsv_encode(PyObject *o)
{
    cb_jsv *v = (cb_jsv *)o;
    if (!cb_jsv_alive(v)) {
        return -1;
    }
    if (v->this_handle >= 0) {
        return cb_val_put_words(CB_T_JSMETHOD, (uint32_t)v->handle, (uint32_t)v->this_handle, 2);
    }
    return cb_val_put_words(CB_T_JSOBJ, (uint32_t)v->handle, 0, 1);
}

static PyObject *cb_jsv_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames);

static PyObject *
cb_jsv_new(int32_t handle, int32_t this_handle)
{
    cb_jsv *v = PyObject_New(cb_jsv, cb_jsv_type);
    if (v == NULL) {
        cb_js_release(handle);
        if (this_handle >= 0) {
            cb_js_release(this_handle);
        }
        return NULL;
    }
    v->vectorcall = cb_jsv_vectorcall;
    v->handle = handle;
    v->this_handle = this_handle;
    v->destroyed = 0;
    v->pinned = 0;
    v->next = cb_jsv_list.next;
    v->prev = &cb_jsv_list;
    cb_jsv_list.next->prev = v;
    cb_jsv_list.next = v;
    return (PyObject *)v;
}

static void
cb_jsv_destroy(cb_jsv *v)
{
    if (!v->destroyed) {
        v->destroyed = 1;
        cb_js_release(v->handle);
        if (v->this_handle >= 0) {
            cb_js_release(v->this_handle);
        }
    }
}

static void
cb_jsv_dealloc(PyObject *self)
{
    cb_jsv *v = (cb_jsv *)self;
    cb_jsv_destroy(v);
    v->prev->next = v->next;
    v->next->prev = v->prev;
    PyObject_Free(self);
}

static int32_t
cb_jsv_handle(PyObject *o)
{
    cb_jsv *v = (cb_jsv *)o;
    return v->destroyed ? -1 : v->handle;
}

static int32_t
cb_jsv_hold_error(void)
{
    return cb_js_hold_last_error();
}

/* Runs one JS operation on handle/this with the operands already written to
 * the output records. Returns a new reference; NULL with an exception; or
 * NULL without one for CB_R_UNSUPPORTED / CB_R_MISSING (in *status). */
static PyObject *
cb_jsv_op(int op, int32_t handle, int32_t this_handle, int *status)
{
    _Alignas(8) char small[1024];
    if (cb_thread_refuse("JavaScriptVariable")) {
        if (status) {
            *status = CB_R_ERROR;
        }
        return NULL;
    }
    cb_jsv_release_orphans();
    /* A call into JS and back costs about two units of CPython's C recursion
     * budget in engine stack (JS frames included), so a JS <-> Python
     * recursion ends in RecursionError before the engine's stack runs out. */
    if (Py_EnterRecursiveCall(" while calling into JavaScript")) {
        return NULL;
    }
    if (Py_EnterRecursiveCall(" while calling into JavaScript")) {
        Py_LeaveRecursiveCall();
        return NULL;
    }
    int n = cb_async_on() ? cb_js_op_async(op, handle, this_handle, cb_val_result(), small, (int)sizeof small)
                              : cb_js_op(op, handle, this_handle, cb_val_result(), small, (int)sizeof small);
    Py_LeaveRecursiveCall();
    Py_LeaveRecursiveCall();
    if (status) {
        *status = n;
    }
    if (n == CB_R_ERROR) {
        cb_err_raise_from_js();
        return NULL;
    }
    if (n == CB_R_SYNC_PROMISE) {
        PyErr_SetString(PyExc_RuntimeError, CB_SYNC_PROMISE_MESSAGE);
        return NULL;
    }
    if (n < 0) {
        return NULL;
    }
    char *heap = NULL;
    const char *src = small;
    if (n > (int)sizeof small) {
        heap = malloc((size_t)n);
        if (heap == NULL) {
            return PyErr_NoMemory();
        }
        cb_js_take(heap);
        src = heap;
    }
    cb_reader r = {src};
    PyObject *v = cb_val_get(&r);
    free(heap);
    return v;
}

/* Operands: each argument written with cb_val_put. */
static PyObject *
cb_jsv_op_args(cb_jsv *v, int op, int *status, int nargs, PyObject *a, PyObject *b)
{
    if (!cb_jsv_alive(v)) {
        return NULL;
    }
    cb_val_begin();
    if ((nargs > 0 && cb_val_put(a) < 0) || (nargs > 1 && cb_val_put(b) < 0)) {
        return NULL;
    }
    return cb_jsv_op(op, v->handle, v->this_handle, status);
}

static PyObject *
cb_jsv_name_error(cb_jsv *v, PyObject *name)
{
    PyObject *type = cb_jsv_op_args(v, CB_OP_TYPE, NULL, 0, NULL, NULL);
    if (type != NULL) {
        PyErr_Format(PyExc_AttributeError, "JavaScript %S has no property '%U'", type, name);
        Py_DECREF(type);
    }
    return NULL;
}

static PyObject *
cb_jsv_getattro(PyObject *self, PyObject *name)
{
    cb_jsv *v = (cb_jsv *)self;
    Py_ssize_t n = PyUnicode_GET_LENGTH(name);
    if (n >= 2 && PyUnicode_READ_CHAR(name, 0) == '_' && PyUnicode_READ_CHAR(name, 1) == '_') {
        return PyObject_GenericGetAttr(self, name);
    }
    int status;
    PyObject *r = cb_jsv_op_args(v, CB_OP_GET, &status, 1, name, NULL);
    if (r == NULL && status == CB_R_MISSING) {
        r = PyObject_GenericGetAttr(self, name);
        if (r == NULL && PyErr_ExceptionMatches(PyExc_AttributeError)) {
            PyErr_Clear();
            return cb_jsv_name_error(v, name);
        }
    }
    return r;
}

static int
cb_jsv_setattro(PyObject *self, PyObject *name, PyObject *value)
{
    cb_jsv *v = (cb_jsv *)self;
    if (PyUnicode_GET_LENGTH(name) >= 2 && PyUnicode_READ_CHAR(name, 0) == '_' && PyUnicode_READ_CHAR(name, 1) == '_') {
        PyErr_Format(PyExc_AttributeError, "cannot set '%U' on a JavaScript variable", name);
        return -1;
    }
    int status = 0;
    PyObject *r = value ? cb_jsv_op_args(v, CB_OP_SET, NULL, 2, name, value)
                        : cb_jsv_op_args(v, CB_OP_DEL, &status, 1, name, NULL);
    if (r == NULL && status == CB_R_MISSING) {
        cb_jsv_name_error(v, name);   /* del x.missing: AttributeError, as for a Python object */
    }
    Py_XDECREF(r);
    return r ? 0 : -1;
}

static PyObject *
cb_jsv_vectorcall(PyObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    cb_jsv *v = (cb_jsv *)self;
    if (!cb_jsv_alive(v)) {
        return NULL;
    }
    Py_ssize_t n = PyVectorcall_NARGS(nargsf);
    Py_ssize_t nk = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    cb_val_begin();
    if (cb_val_put_words(CB_T_INT, (uint32_t)n, 0, 1) < 0) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        if (cb_val_put(args[i]) < 0) {
            return NULL;
        }
    }
    /* Keyword arguments: one trailing object argument, as JS APIs take options. */
    if (cb_val_put_words(CB_T_INT, (uint32_t)nk, 0, 1) < 0) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < nk; i++) {
        if (cb_val_put(PyTuple_GET_ITEM(kwnames, i)) < 0 || cb_val_put(args[n + i]) < 0) {
            return NULL;
        }
    }
    return cb_jsv_op(CB_OP_CALL, v->handle, v->this_handle, NULL);
}

static Py_ssize_t
cb_jsv_length(PyObject *self)
{
    int status;
    PyObject *r = cb_jsv_op_args((cb_jsv *)self, CB_OP_LEN, &status, 0, NULL, NULL);
    if (r == NULL) {
        if (status == CB_R_UNSUPPORTED) {
            PyErr_SetString(PyExc_TypeError, "this JavaScript value has no length or size");
        }
        return -1;
    }
    Py_ssize_t n = PyLong_AsSsize_t(r);
    Py_DECREF(r);
    return n;
}

/* An operation whose answer is true or false: 1, 0, or -1 with an exception. */
static int
cb_jsv_op_truth(PyObject *self, int op, int nargs, PyObject *arg)
{
    PyObject *r = cb_jsv_op_args((cb_jsv *)self, op, NULL, nargs, arg, NULL);
    if (r == NULL) {
        return -1;
    }
    int t = PyObject_IsTrue(r);
    Py_DECREF(r);
    return t;
}

static int
cb_jsv_contains(PyObject *self, PyObject *item)
{
    return cb_jsv_op_truth(self, CB_OP_CONTAINS, 1, item);
}

static PyObject *
cb_jsv_getitem(PyObject *self, PyObject *key)
{
    int status;
    PyObject *r = cb_jsv_op_args((cb_jsv *)self, CB_OP_GETITEM, &status, 1, key, NULL);
    if (r == NULL && status == CB_R_MISSING) {
        PyErr_SetObject(PyLong_Check(key) ? PyExc_IndexError : PyExc_KeyError, key);
    }
    return r;
}

static int
cb_jsv_setitem(PyObject *self, PyObject *key, PyObject *value)
{
    PyObject *r = value ? cb_jsv_op_args((cb_jsv *)self, CB_OP_SETITEM, NULL, 2, key, value)
                        : cb_jsv_op_args((cb_jsv *)self, CB_OP_DELITEM, NULL, 1, key, NULL);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

typedef struct {
    PyObject_HEAD
    int32_t handle;
} cb_jsv_iter;

static PyObject *
cb_jsv_iter_new(PyObject *self)
{
    int status;
    cb_jsv *v = (cb_jsv *)self;
    if (!cb_jsv_alive(v)) {
        return NULL;
    }
    cb_val_begin();
    /* CB_OP_ITER answers with the iterator's handle as an INT record. */
    PyObject *h = cb_jsv_op(CB_OP_ITER, v->handle, v->this_handle, &status);
    if (h == NULL) {
        if (status == CB_R_UNSUPPORTED) {
            PyObject *type = cb_jsv_op_args(v, CB_OP_TYPE, NULL, 0, NULL, NULL);
            if (type != NULL) {
                PyErr_Format(PyExc_TypeError, "'%U' object is not iterable", type);
                Py_DECREF(type);
            }
        }
        return NULL;
    }
    long handle = PyLong_AsLong(h);
    Py_DECREF(h);
    cb_jsv_iter *it = PyObject_New(cb_jsv_iter, cb_jsv_iter_type);
    if (it == NULL) {
        cb_js_release((int)handle);
        return NULL;
    }
    it->handle = (int32_t)handle;
    return (PyObject *)it;
}

static PyObject *
cb_jsv_iter_next(PyObject *self)
{
    int status;
    cb_val_begin();
    PyObject *r = cb_jsv_op(CB_OP_NEXT, ((cb_jsv_iter *)self)->handle, -1, &status);
    return r;   /* CB_R_MISSING: the iterator is done (NULL without an exception) */
}

static void
cb_jsv_iter_dealloc(PyObject *self)
{
    cb_js_release(((cb_jsv_iter *)self)->handle);
    PyObject_Free(self);
}

static PyObject *
cb_jsv_str(PyObject *self)
{
    return cb_jsv_op_args((cb_jsv *)self, CB_OP_STR, NULL, 0, NULL, NULL);
}

static PyObject *
cb_jsv_repr(PyObject *self)
{
    cb_jsv *v = (cb_jsv *)self;
    if (v->destroyed) {
        return PyUnicode_FromString("<JavaScriptVariable (destroyed)>");
    }
    return cb_jsv_op_args(v, CB_OP_REPR, NULL, 0, NULL, NULL);
}

static Py_hash_t
cb_jsv_hash(PyObject *self)
{
    PyObject *r = cb_jsv_op_args((cb_jsv *)self, CB_OP_HASH, NULL, 0, NULL, NULL);
    if (r == NULL) {
        return -1;
    }
    Py_hash_t h = PyObject_Hash(r);
    Py_DECREF(r);
    return h;
}

static int
cb_jsv_bool(PyObject *self)
{
    return cb_jsv_op_truth(self, CB_OP_BOOL, 0, NULL);
}

/* Operators, by JS operator code (the `binops` table in src/js/bridge.js). Either side
 * may be the JavaScriptVariable (reflected operators). */
static PyObject *
cb_jsv_binop(PyObject *a, PyObject *b, int code)
{
    cb_jsv *v = (cb_jsv *)(cb_jsv_check(a) ? a : b);
    if (!cb_jsv_alive(v)) {
        return NULL;
    }
    cb_val_begin();
    if (cb_val_put_words(CB_T_INT, (uint32_t)code, 0, 1) < 0 || cb_val_put(a) < 0 || cb_val_put(b) < 0) {
        return NULL;
    }
    int status;
    PyObject *r = cb_jsv_op(CB_OP_BINOP, v->handle, -1, &status);
    if (r == NULL && status == CB_R_UNSUPPORTED) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    return r;
}

#define CB_BINOP(fn, code) \
    static PyObject *fn(PyObject *a, PyObject *b) { return cb_jsv_binop(a, b, code); }
CB_BINOP(cb_jsv_add, CB_BINOP_ADD)
CB_BINOP(cb_jsv_sub, CB_BINOP_SUB)
CB_BINOP(cb_jsv_mul, CB_BINOP_MUL)
CB_BINOP(cb_jsv_div, CB_BINOP_DIV)
CB_BINOP(cb_jsv_mod, CB_BINOP_MOD)
CB_BINOP(cb_jsv_and, CB_BINOP_AND)
CB_BINOP(cb_jsv_or, CB_BINOP_OR)
CB_BINOP(cb_jsv_xor, CB_BINOP_XOR)
CB_BINOP(cb_jsv_lshift, CB_BINOP_LSHIFT)
CB_BINOP(cb_jsv_rshift, CB_BINOP_RSHIFT)

static PyObject *
cb_jsv_pow(PyObject *a, PyObject *b, PyObject *mod)
{
    if (mod != Py_None) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    return cb_jsv_binop(a, b, CB_BINOP_POW);
}

static PyObject *
cb_jsv_unary(PyObject *a, int code)
{
    cb_jsv *v = (cb_jsv *)a;
    if (!cb_jsv_alive(v)) {
        return NULL;
    }
    cb_val_begin();
    if (cb_val_put_words(CB_T_INT, (uint32_t)code, 0, 1) < 0) {
        return NULL;
    }
    return cb_jsv_op(CB_OP_UNARY, v->handle, -1, NULL);
}

static PyObject *cb_jsv_neg(PyObject *a) { return cb_jsv_unary(a, CB_UNOP_NEG); }
static PyObject *cb_jsv_pos(PyObject *a) { return cb_jsv_unary(a, CB_UNOP_POS); }
static PyObject *cb_jsv_invert(PyObject *a) { return cb_jsv_unary(a, CB_UNOP_INVERT); }

static PyObject *
cb_jsv_richcompare(PyObject *a, PyObject *b, int op)
{
    /* Py_LT..Py_GE are 0..5; the JS codes list them in that order. */
    return cb_jsv_binop(a, b, CB_BINOP_LT + op);
}

static PyObject *
cb_jsv_destroy_method(PyObject *self, PyObject *unused)
{
    cb_jsv_destroy((cb_jsv *)self);
    Py_RETURN_NONE;
}

/* __inspect__() and dir(): the variable's own names, then the value's
 * property names as Python spells them (snake_case), sorted as dir() sorts. */
static PyObject *
cb_jsv_inspect(PyObject *self, PyObject *unused)
{
    PyObject *js = cb_jsv_op_args((cb_jsv *)self, CB_OP_DIR, NULL, 0, NULL, NULL);
    if (js == NULL) {
        return NULL;
    }
    PyObject *names = PySet_New(js);
    Py_DECREF(js);
    static const char *own[] = {"__type__", "__uid__", "__inspect__", "__destroy__", "__destroyed__"};
    for (size_t i = 0; names != NULL && i < sizeof own / sizeof own[0]; i++) {
        PyObject *s = PyUnicode_FromString(own[i]);
        if (s == NULL || PySet_Add(names, s) < 0) {
            Py_CLEAR(names);
        }
        Py_XDECREF(s);
    }
    PyObject *sorted = names ? PySequence_List(names) : NULL;
    Py_XDECREF(names);
    if (sorted != NULL && PyList_Sort(sorted) < 0) {
        Py_CLEAR(sorted);
    }
    return sorted;
}

static PyObject *
cb_jsv_is_javascript_variable(PyObject *unused, PyObject *o)
{
    return PyBool_FromLong(cb_jsv_check(o));
}

static PyObject *
cb_jsv_get_type(PyObject *self, void *unused)
{
    return cb_jsv_op_args((cb_jsv *)self, CB_OP_TYPE, NULL, 0, NULL, NULL);
}

/* A stable id of the JS value (the same for every variable of one object). */
static PyObject *
cb_jsv_get_uid(PyObject *self, void *unused)
{
    PyObject *id = cb_jsv_op_args((cb_jsv *)self, CB_OP_HASH, NULL, 0, NULL, NULL);
    PyObject *uid = id ? PyUnicode_FromFormat("js-%S", id) : NULL;
    Py_XDECREF(id);
    return uid;
}

static PyObject *
cb_jsv_get_destroyed(PyObject *self, void *unused)
{
    return PyBool_FromLong(((cb_jsv *)self)->destroyed);
}

static PyMethodDef cb_jsv_methods[] = {
    {"__destroy__", cb_jsv_destroy_method, METH_NOARGS,
     "Releases the JavaScript value now; the variable can no longer be used."},
    {"__inspect__", cb_jsv_inspect, METH_NOARGS, "The names of the value's properties, as Python sees them."},
    {"__dir__", cb_jsv_inspect, METH_NOARGS, NULL},
    {"is_javascript_variable", cb_jsv_is_javascript_variable, METH_O | METH_STATIC,
     "is_javascript_variable(x) -> bool: is x a JavaScript value seen from Python?"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef cb_jsv_getset[] = {
    {"__type__", cb_jsv_get_type, NULL, "The JavaScript type: a constructor name or typeof.", NULL},
    {"__destroyed__", cb_jsv_get_destroyed, NULL, "True once __destroy__() has released it.", NULL},
    {"__uid__", cb_jsv_get_uid, NULL, "A stable id of the JavaScript value.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyMemberDef cb_jsv_members[] = {
    {"__vectorcalloffset__", Py_T_PYSSIZET, offsetof(cb_jsv, vectorcall), Py_READONLY, NULL},
    {NULL, 0, 0, 0, NULL},
};

/* `await js_value` in a coroutine: the Promise settles on the JS event loop,
 * which _coldbrew.aio's event loop waits for (cb_async.c). */
static PyObject *
cb_jsv_await(PyObject *self)
{
    PyObject *aio = PyImport_ImportModule("_coldbrew.aio");
    if (aio == NULL) {
        return NULL;
    }
    PyObject *r = PyObject_CallMethod(aio, "awaitable", "O", self);
    Py_DECREF(aio);
    return r;
}

static PyType_Slot cb_jsv_slots[] = {
    {Py_tp_doc, "A JavaScript value used from Python (a bridge variable)."},
    {Py_tp_dealloc, cb_jsv_dealloc},
    {Py_tp_getattro, cb_jsv_getattro},
    {Py_tp_setattro, cb_jsv_setattro},
    {Py_tp_call, PyVectorcall_Call},
    {Py_tp_str, cb_jsv_str},
    {Py_tp_repr, cb_jsv_repr},
    {Py_tp_hash, cb_jsv_hash},
    {Py_tp_iter, cb_jsv_iter_new},
    {Py_tp_richcompare, cb_jsv_richcompare},
    {Py_tp_methods, cb_jsv_methods},
    {Py_tp_getset, cb_jsv_getset},
    {Py_tp_members, cb_jsv_members},
    {Py_mp_length, cb_jsv_length},
    {Py_sq_length, cb_jsv_length},
    {Py_sq_contains, cb_jsv_contains},
    {Py_mp_subscript, cb_jsv_getitem},
    {Py_mp_ass_subscript, cb_jsv_setitem},
    {Py_nb_bool, cb_jsv_bool},
    {Py_am_await, cb_jsv_await},
    {Py_nb_add, cb_jsv_add},
    {Py_nb_subtract, cb_jsv_sub},
    {Py_nb_multiply, cb_jsv_mul},
    {Py_nb_true_divide, cb_jsv_div},
    {Py_nb_remainder, cb_jsv_mod},
    {Py_nb_power, cb_jsv_pow},
    {Py_nb_and, cb_jsv_and},
    {Py_nb_or, cb_jsv_or},
    {Py_nb_xor, cb_jsv_xor},
    {Py_nb_lshift, cb_jsv_lshift},
    {Py_nb_rshift, cb_jsv_rshift},
    {Py_nb_negative, cb_jsv_neg},
    {Py_nb_positive, cb_jsv_pos},
    {Py_nb_invert, cb_jsv_invert},
    {0, NULL},
};

static PyType_Spec cb_jsv_spec = {
    .name = "Coldbrew.JavaScriptVariable",
    .basicsize = sizeof(cb_jsv),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = cb_jsv_slots,
};

static PyType_Slot cb_jsv_iter_slots[] = {
    {Py_tp_dealloc, cb_jsv_iter_dealloc},
    {Py_tp_iter, PyObject_SelfIter},
    {Py_tp_iternext, cb_jsv_iter_next},
    {0, NULL},
};

static PyType_Spec cb_jsv_iter_spec = {
    .name = "Coldbrew.JavaScriptIterator",
    .basicsize = sizeof(cb_jsv_iter),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
    .slots = cb_jsv_iter_slots,
};

/* ---- module functions ------------------------------------------------------ */

static PyObject *
cb_jsv_lookup_global(PyObject *name)
{
    if (!PyUnicode_Check(name)) {
        return PyErr_Format(PyExc_TypeError, "a JavaScript variable name must be a str, not %.100s",
                            Py_TYPE(name)->tp_name);
    }
    cb_val_begin();
    if (cb_val_put(name) < 0) {
        return NULL;
    }
    int status;
    PyObject *r = cb_jsv_op(CB_OP_GLOBAL, -1, -1, &status);
    if (r == NULL && status == CB_R_MISSING) {
        PyErr_Format(PyExc_NameError, "JavaScript global '%U' is not defined", name);
    }
    return r;
}

static PyObject *
cb_jsv_get_variable(PyObject *module, PyObject *name)
{
    if (cb_thread_refuse("Coldbrew.get_variable()")) {
        return NULL;
    }
    return cb_jsv_lookup_global(name);
}

static PyObject *
cb_jsv_run_function(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (cb_thread_refuse("Coldbrew.run_function()")) {
        return NULL;
    }
    if (nargs < 1) {
        PyErr_SetString(PyExc_TypeError, "run_function() needs the name of a JavaScript function");
        return NULL;
    }
    PyObject *fn = cb_jsv_lookup_global(args[0]);
    if (fn == NULL) {
        return NULL;
    }
    if (!cb_jsv_check(fn)) {
        PyErr_Format(PyExc_TypeError, "JavaScript global '%U' is not a function", args[0]);
        Py_DECREF(fn);
        return NULL;
    }
    PyObject *r = cb_jsv_vectorcall(fn, args + 1, (size_t)(nargs - 1), kwnames);
    Py_DECREF(fn);
    return r;
}

static PyObject *
cb_jsv_destroy_all(PyObject *module, PyObject *unused)
{
    for (cb_jsv *v = cb_jsv_list.next; v != &cb_jsv_list; v = v->next) {
        if (!v->pinned) {
            cb_jsv_destroy(v);
        }
    }
    Py_RETURN_NONE;
}

/* For the runtime's own helpers (the HTTP host): survives destroy_all_variables(). */
static PyObject *
cb_jsv_pin(PyObject *module, PyObject *o)
{
    if (!cb_jsv_check(o)) {
        return PyErr_Format(PyExc_TypeError, "_pin_variable() expects a JavaScriptVariable");
    }
    ((cb_jsv *)o)->pinned = 1;
    return Py_NewRef(o);
}

static PyObject *
cb_jsv_live_counts(PyObject *module, PyObject *unused)
{
    cb_val_begin();
    PyObject *js = cb_jsv_op(CB_OP_LIVE, -1, -1, NULL);
    if (js == NULL) {
        return NULL;
    }
    PyObject *r = Py_BuildValue("{slsN}", "python", cb_val_live_python(), "javascript", js);
    return r;
}

/* For the runtime's helpers: a Promise's value, waited for here even while
 * an asyncio loop runs (an async run suspends; a sync run raises). Other
 * values are returned as they are. */
static PyObject *
cb_jsv_resolve(PyObject *module, PyObject *o)
{
    if (!cb_jsv_check(o)) {
        return Py_NewRef(o);
    }
    cb_jsv *v = (cb_jsv *)o;
    if (!cb_jsv_alive(v)) {
        return NULL;
    }
    cb_val_begin();
    return cb_jsv_op(CB_OP_RESOLVE, v->handle, -1, NULL);
}

/* The JavaScriptError for a JS value (a Promise's rejection reason), returned. */
static PyObject *
cb_jsv_error_for(PyObject *module, PyObject *reason)
{
    cb_val_begin();
    if (cb_val_put(reason) < 0) {
        return NULL;
    }
    PyObject *r = cb_jsv_op(CB_OP_SET_ERROR, -1, -1, NULL);
    if (r == NULL) {
        return NULL;
    }
    Py_DECREF(r);
    cb_err_raise_from_js();
    return PyErr_GetRaisedException();
}

static PyMethodDef cb_jsv_functions[] = {
    {"get_variable", cb_jsv_get_variable, METH_O,
     "get_variable(name) -> value\n\nA global JavaScript variable (globalThis), by name or dotted path."},
    {"run_function", (PyCFunction)(void (*)(void))cb_jsv_run_function, METH_FASTCALL | METH_KEYWORDS,
     "run_function(name, *args, **kwargs) -> value\n\nCalls a global JavaScript function; keyword "
     "arguments are passed as one trailing object."},
    {"destroy_all_variables", cb_jsv_destroy_all, METH_NOARGS,
     "Releases every JavaScript value Python holds; those variables can no longer be used."},
    {"_resolve", cb_jsv_resolve, METH_O, "Internal: the value of a JavaScript Promise (waited for)."},
    {"_javascript_error", cb_jsv_error_for, METH_O, "Internal: the JavaScriptError for a rejection reason."},
    {"_pin_variable", cb_jsv_pin, METH_O, "Internal: keeps a JavaScriptVariable through destroy_all_variables()."},
    {"live_variable_counts", cb_jsv_live_counts, METH_NOARGS,
     "{'python': Python objects held by JavaScript, 'javascript': JavaScript values held by Python}"},
    {NULL, NULL, 0, NULL},
};

/* For the error layer: the JS value just thrown, held as a JavaScriptVariable. */
static PyObject *
cb_jsv_wrap_last_error(void)
{
    return cb_jsv_new(cb_jsv_hold_error(), -1);
}

/* For the error layer: the handle of a live JavaScriptVariable, else -1. */
static int32_t
cb_jsv_handle_of(PyObject *o)
{
    return cb_jsv_check(o) ? cb_jsv_handle(o) : -1;
}

int
cb_jsv_init(PyObject *module)
{
    cb_jsv_type = (PyTypeObject *)PyType_FromSpec(&cb_jsv_spec);
    cb_jsv_iter_type = (PyTypeObject *)PyType_FromSpec(&cb_jsv_iter_spec);
    if (cb_jsv_type == NULL || cb_jsv_iter_type == NULL) {
        return -1;
    }
    /* The lower layers reach this type only through what is plugged in here. */
    cb_val_set_js_type(cb_jsv_type, cb_jsv_encode, cb_jsv_new);
    cb_err_set_hooks(cb_jsv_wrap_last_error, cb_jsv_handle_of, NULL);
    if (PyModule_AddObjectRef(module, "JavaScriptVariable", (PyObject *)cb_jsv_type) < 0) {
        return -1;
    }
    return PyModule_AddFunctions(module, cb_jsv_functions);
}
