/* cb_threads.c: starting Python threads, in both runtime variants.
 *
 * Layer 4 (src/core/layers.txt): calls no other file of the core; the runtime
 * (cb_runtime.c) installs it once Python has started.
 *
 * CPython starts every thread through _thread.start_joinable_thread (threading)
 * or _thread.start_new_thread / start_new. Those three are wrapped here, for
 * two things CPython cannot know:
 *   - why a thread could not start. CPython says only "can't start new thread";
 *     the JS API knows the cause (this runtime has no threads: load() was not
 *     given threadWorkers, or the page lacks cross-origin isolation; or every
 *     worker of the pool is busy) and hands it over with cb_threads_set_reason
 *     before start-up. The RuntimeError keeps CPython's words first, so code
 *     that matches them still works, and the original error as its cause.
 *   - the C recursion budget. The main thread's is measured by the JS API for
 *     this engine's stack (cb_rt_set_c_recursion_limit); a thread's worker has
 *     a stack of the same size, so each new thread starts with the same budget
 *     instead of CPython's compiled-in default (its function is wrapped in an
 *     entry that sets the budget first).
 * Both variants install the wrappers; only the threaded one ever starts a thread.
 */
#include "coldbrew.h"

#include <string.h>

static char *cb_threads_reason;    /* appended to CPython's message; NULL: CPython's alone */
static int cb_threads_budget;      /* C recursion budget for new threads; 0: CPython's default */

/* Sets what a failed start says (UTF-8; NULL or "" for CPython's message alone). */
CB_EXPORT void
cb_threads_set_reason(const char *reason)
{
    free(cb_threads_reason);
    cb_threads_reason = (reason != NULL && reason[0] != '\0') ? strdup(reason) : NULL;
}

void
cb_threads_set_budget(int budget)
{
    cb_threads_budget = budget;
}

/* A new thread's first call: its budget, then the function it was given.
 * An exception is reported here as CPython's thread start-up would report
 * it, naming that function (not this entry): SystemExit ends the thread
 * quietly, anything else is "Exception ignored in thread started by ...". */
static PyObject *
cb_threads_entry(PyObject *function, PyObject *const *args, Py_ssize_t nargsf, PyObject *kwnames)
{
    if (cb_threads_budget > 0) {
        PyThreadState_Get()->c_recursion_remaining = cb_threads_budget;
    }
    PyObject *result = PyObject_Vectorcall(function, args, nargsf, kwnames);
    if (result == NULL) {
        if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
            PyErr_Clear();
        } else {
            PyErr_FormatUnraisable("Exception ignored in thread started by %R", function);
        }
        result = Py_NewRef(Py_None);
    }
    return result;
}

static PyMethodDef cb_threads_entry_def = {
    "coldbrew_thread_entry", (PyCFunction)(void (*)(void))cb_threads_entry, METH_FASTCALL | METH_KEYWORDS,
    "Internal: starts a Python thread with the runtime's C recursion budget.",
};

/* "can't start new thread" (CPython's words) becomes that plus the reason. */
static void
cb_threads_explain_failure(void)
{
    if (cb_threads_reason == NULL || !PyErr_ExceptionMatches(PyExc_RuntimeError)) {
        return;
    }
    PyObject *cause = PyErr_GetRaisedException();
    PyObject *text = PyObject_Str(cause);
    int match = text != NULL && PyUnicode_CompareWithASCIIString(text, "can't start new thread") == 0;
    Py_XDECREF(text);
    if (!match) {
        PyErr_Clear();
        PyErr_SetRaisedException(cause);
        return;
    }
    PyErr_Format(PyExc_RuntimeError, "can't start new thread: %s", cb_threads_reason);
    PyObject *explained = PyErr_GetRaisedException();
    PyException_SetCause(explained, cause);   /* steals cause */
    PyErr_SetRaisedException(explained);
}

/* The wrapper of one of _thread's start functions (`original`). */
static PyObject *
cb_threads_start(PyObject *original, PyObject *const *args, Py_ssize_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    Py_ssize_t total = nargs + (kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0);
    PyObject *entry = NULL, *result = NULL;
    PyObject **operands = NULL;
    if (nargs >= 1 && cb_threads_budget > 0) {
        CB_FAIL_IF_NULL(entry = PyCFunction_New(&cb_threads_entry_def, args[0]));
        operands = PyMem_Malloc((size_t)total * sizeof *operands);
        if (operands == NULL) {
            PyErr_NoMemory();
            goto done;
        }
        operands[0] = entry;
        for (Py_ssize_t i = 1; i < total; i++) {
            operands[i] = args[i];
        }
    }
    result = PyObject_Vectorcall(original, operands != NULL ? operands : args, nargs, kwnames);
    if (result == NULL) {
        cb_threads_explain_failure();
    }
done:
    PyMem_Free(operands);
    Py_XDECREF(entry);
    return result;
}

/* One definition per wrapped function: its name, and the original's doc with
 * its text signature, so help() and inspect.signature() see _thread's own. */
static PyMethodDef cb_threads_start_defs[3];

static int
cb_threads_define(PyMethodDef *def, const char *name, PyObject *original)
{
    int rc = -1;
    PyObject *signature = NULL, *doc = NULL, *text = NULL;
    CB_FAIL_IF_NULL(signature = PyObject_GetAttrString(original, "__text_signature__"));
    CB_FAIL_IF_NULL(doc = PyObject_GetAttrString(original, "__doc__"));
    if (doc == Py_None) {
        Py_SETREF(doc, PyUnicode_FromString(""));
        CB_FAIL_IF_NULL(doc);
    }
    text = signature == Py_None ? Py_NewRef(doc) : PyUnicode_FromFormat("%s%S\n--\n\n%S", name, signature, doc);
    CB_FAIL_IF_NULL(text);
    Py_ssize_t size;
    const char *utf8 = PyUnicode_AsUTF8AndSize(text, &size);
    CB_FAIL_IF_NULL(utf8);
    char *copy = PyMem_RawMalloc((size_t)size + 1);   /* lives as long as the runtime */
    if (copy == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(copy, utf8, (size_t)size + 1);
    PyMem_RawFree((void *)def->ml_doc);
    *def = (PyMethodDef){name, (PyCFunction)(void (*)(void))cb_threads_start, METH_FASTCALL | METH_KEYWORDS, copy};
    rc = 0;
done:
    Py_XDECREF(signature);
    Py_XDECREF(doc);
    Py_XDECREF(text);
    return rc;
}

/* Wraps _thread's start functions (and threading's copy, if already imported). */
int
cb_threads_install(void)
{
    static const char *names[] = {"start_joinable_thread", "start_new_thread", "start_new"};
    int rc = -1;
    PyObject *thread = NULL, *threading = NULL, *modules = NULL;
    CB_FAIL_IF_NULL(thread = PyImport_ImportModule("_thread"));
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        PyObject *original = PyObject_GetAttrString(thread, names[i]);
        if (original == NULL) {
            PyErr_Clear();   /* not in this version of CPython */
            continue;
        }
        PyObject *wrapper = NULL;
        if (cb_threads_define(&cb_threads_start_defs[i], names[i], original) == 0) {
            wrapper = PyCFunction_New(&cb_threads_start_defs[i], original);
        }
        Py_DECREF(original);
        CB_FAIL_IF_NULL(wrapper);
        int set = PyObject_SetAttrString(thread, names[i], wrapper);
        if (set == 0 && i == 0) {
            /* threading keeps its own reference, taken when it was imported */
            CB_FAIL_IF_NULL(modules = PyImport_GetModuleDict());
            threading = PyDict_GetItemString(modules, "threading");   /* borrowed */
            if (threading != NULL) {
                set = PyObject_SetAttrString(threading, "_start_joinable_thread", wrapper);
            }
        }
        Py_DECREF(wrapper);
        CB_FAIL_IF_NEG(set);
    }
    rc = 0;
done:
    Py_XDECREF(thread);
    return rc;
}
