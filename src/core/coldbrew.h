/* coldbrew.h: declarations shared by the Coldbrew C core.
 *
 * One file per subsystem, one prefix each, in layers (listed below, before
 * the declarations); cb_protocol.h holds every number shared with JS.
 */
#ifndef COLDBREW_H
#define COLDBREW_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <emscripten.h>

#include "cb_protocol.h"

#define CB_EXPORT EMSCRIPTEN_KEEPALIVE

/* Threads (the threaded variant, compiled with -pthread): JavaScript (the JS
 * API, Module.coldbrew, the values the bridge holds) lives on the thread that
 * loaded the runtime; a Python thread runs on its own worker, where none of it
 * exists. Everything that reaches JS asks CB_ON_MAIN_THREAD() first: the
 * periodic hook and sleeping take other paths, and what Python code asked for
 * (Coldbrew.run, a JavaScriptVariable) fails with cb_thread_refuse's error.
 * In the default variant the test is the constant 1 and costs nothing. */
#ifdef __EMSCRIPTEN_PTHREADS__
#include <emscripten/threading.h>
#define CB_ON_MAIN_THREAD() emscripten_is_main_runtime_thread()
#else
#define CB_ON_MAIN_THREAD() 1
#endif

/* 0 on the main thread; elsewhere -1 with RuntimeError naming `what`. */
static inline int
cb_thread_refuse(const char *what)
{
    if (CB_ON_MAIN_THREAD()) {
        return 0;
    }
    PyErr_Format(PyExc_RuntimeError,
                 "%s: only Python's main thread can use JavaScript (its values, its functions, Coldbrew.run); "
                 "this is another thread. Hand the work to the main thread, for example through a queue.Queue",
                 what);
    return -1;
}

/* Layers, lowest first (src/core/layers.txt; tests/layers checks that calls
 * only go down; a lower layer reaches a higher one through a function pointer
 * the higher one plugs in at start-up):
 *   0  cb_protocol.h                 numbers shared with JS (no code)
 *   1  cb_value.c  cb_val_           the binary value records both languages read and write
 *      cb_async.c  cb_async_         the periodic hook, async runs' state, sleeping, asyncio's wait
 *      cb_names.c  cb_names_         the casing rule (transformVariableCasing), for C and JS
 *      cb_dlfcn.c  cb_dl_            dlopen/dlsym for ctypes over symbol tables (cb_symbols.h)
 *   2  cb_error.c  cb_err_           exceptions across the boundary
 *      cb_libc.c   (libc names)      system, socket, read, clock_nanosleep
 *   3  cb_jsvar.c  cb_jsv_           JS values used from Python (the JavaScriptVariable type)
 *      cb_pyobj.c  cb_py_            Python objects used from JS (the exports behind JS's Proxy traps)
 *   4  cb_module.c cb_mod_           the built-in `Coldbrew` module Python code sees
 *      cb_threads.c cb_threads_     starting Python threads: why one cannot start, its C budget
 *   5  cb_runtime.c cb_rt_           interpreter start-up and the entry points exported to JS
 *
 * The error convention, CPython's: a function fails by returning NULL or -1
 * with a Python exception set. Entry points exported to JS (CB_EXPORT) never
 * leave an exception set: they report it to JS through cb_err_report() and
 * return -1 (a status) or NULL (a result record). A function that owns
 * references has one cleanup label, `done:`, reached on success and failure
 * alike, and fails with the two macros below (or `goto done` after setting an
 * exception itself). tests/layers/check_conventions.py enforces the label,
 * the gotos and the return values.
 */
#define CB_FAIL_IF_NULL(x) do { if ((x) == NULL) goto done; } while (0)
#define CB_FAIL_IF_NEG(x)  do { if ((x) < 0) goto done; } while (0)

/* cb_value.c (record tags and flags: cb_protocol.h) */
typedef struct { const char *p; } cb_reader;
void cb_val_begin(void);                     /* empties the output record buffer */
int cb_val_put(PyObject *o);                 /* appends o: copied if plain, else a bridge variable */
int cb_val_put_bridged(PyObject *o);         /* appends o as a bridge variable */
int cb_val_put_tag(uint32_t tag);
int cb_val_put_words(uint32_t tag, uint32_t a, uint32_t b, int count);
char *cb_val_result(void);                   /* the output buffer (valid until the next cb_val_begin) */
size_t cb_val_length(void);
PyObject *cb_val_get(cb_reader *r);          /* reads one value written by JS */
PyObject *cb_val_str16(const uint16_t *u, size_t n);
long cb_val_live_python(void);               /* Python objects held by JS bridge variables */
void cb_val_released_python(void);
/* plugged in by cb_jsvar.c: its type, how to write one, how to make one from handles */
void cb_val_set_js_type(PyTypeObject *type, int (*encode)(PyObject *), PyObject *(*make)(int32_t, int32_t));

/* cb_async.c */
int cb_async_on(void);                       /* inside an async run (suspending imports allowed)? */
int cb_async_init(PyObject *module);         /* adds the asyncio helpers to the module */
void cb_async_enter(void);                   /* an async run has started on the wasm stack */
int cb_async_sleep(double ms);              /* time.sleep: a timer (async run) or Atomics.wait */
int cb_async_stdin_wait(size_t count);      /* before reading fd 0: await onStandardInReadAsync if due */

/* cb_names.c: the casing rule of transformVariableCasing */
int cb_names_casing(void);                   /* is transformVariableCasing on? */
PyObject *cb_names_snake(PyObject *name);    /* mostCommon -> most_common; NULL if unchanged (no error) */
PyObject *cb_names_camel(PyObject *name);    /* most_common -> mostCommon; NULL if unchanged (no error) */

/* cb_error.c */
int cb_err_init(PyObject *module);          /* adds JavaScriptError to the module */
void cb_err_report(void);                   /* hands the current exception to JS, clears it */
PyObject *cb_err_info(PyObject *exc);        /* dict: type, message, filename, line, traceback */
int cb_err_raise_from_js(void);             /* raises JavaScriptError for the JS error just caught; returns -1 */
PyObject *cb_err_last_js_info(void);         /* borrowed: error_data of the last JS error, or None */
int cb_err_is_exit(PyObject *exc, int *code); /* SystemExit? then its exit status in *code */
/* plugged in by the layers above (NULL: keep what is there) */
void cb_err_set_hooks(PyObject *(*wrap_js_error)(void), int32_t (*js_handle)(PyObject *), int (*nesting)(void));

/* cb_jsvar.c */
int cb_jsv_init(PyObject *module);           /* adds JavaScriptVariable and its functions; plugs itself in below */

/* cb_pyobj.c */
int cb_py_nesting(void);                     /* JS -> Python calls now running */
PyObject *cb_py_main_dict(void);             /* borrowed: __main__.__dict__ */
char *cb_py_call_named(const char *buf, int nargs, int has_kw);   /* entry points (async runs too) */
char *cb_py_lookup(const char *buf);
char *cb_py_get(PyObject *o, const char *buf);
char *cb_py_call(PyObject *o, const char *buf, int nargs, int has_kw);
char *cb_py_construct(PyObject *o, const char *buf, int nargs, int has_kw);

/* cb_module.c */
PyObject *cb_mod_init(void);                 /* PyInit function of the `Coldbrew` module */
int cb_mod_install_builtin(void);           /* makes `Coldbrew` visible without an import */
void cb_mod_wrap_table_inits(void);         /* before start-up: the inits of modules whose tables may be out */
void cb_mod_flush_stdio(void);              /* flushes sys.stdout/sys.stderr, keeps any error */

/* cb_threads.c */
int cb_threads_install(void);               /* wraps _thread's start functions (after start-up) */
void cb_threads_set_budget(int budget);     /* C recursion budget of threads started from now on */

/* cb_runtime.c */
int cb_rt_run(const char *source, size_t length);
int cb_rt_run_file(const char *path, const char *cwd, const char **args, int nargs);

#endif
