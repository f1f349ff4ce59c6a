/* coldbrew.h: declarations shared by the Coldbrew C core.
 *
 * The core is split by subsystem, one prefix each:
 *   cb_rt_   cb_runtime.c  interpreter start-up and the entry points exported to JS
 *   cb_err_  cb_error.c    exception capture and reporting across the boundary
 *   cb_mod_  cb_module.c   the built-in `Coldbrew` module Python code sees
 *   cb_val_  cb_value.c    the binary value records both languages read and write
 *   cb_py_   cb_pyobj.c    Python objects used from JS (the exports behind JS's Proxy traps)
 *   cb_jsv_  cb_jsvar.c    JS values used from Python (the JavaScriptVariable type)
 *   cb_rt_   cb_async.c    the periodic hook, sleeping, the entry of async runs
 * and cb_sandbox.c, which only replaces libc behaviour (no host sockets or shell).
 * Functions follow CPython's convention: NULL or -1 with a Python exception set.
 * Entry points exported to JS (EMSCRIPTEN_KEEPALIVE) never leave an exception
 * set: they report it to JS through cb_err_report() and return -1.
 */
#ifndef COLDBREW_H
#define COLDBREW_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <emscripten.h>

#include "cb_protocol.h"

#define CB_EXPORT EMSCRIPTEN_KEEPALIVE

/* cb_error.c */
int cb_err_init(PyObject *module);          /* adds JavaScriptError to the module */
void cb_err_report(void);                   /* hands the current exception to JS, clears it */
PyObject *cb_err_info(PyObject *exc);        /* dict: type, message, filename, line, traceback */
int cb_err_raise_from_js(void);             /* raises JavaScriptError for the JS error just caught; returns -1 */
PyObject *cb_err_last_js_info(void);         /* borrowed: error_data of the last JS error, or None */
int cb_err_is_exit(PyObject *exc, int *code); /* SystemExit? then its exit status in *code */

/* cb_module.c */
PyObject *cb_mod_init(void);                 /* PyInit function of the `Coldbrew` module */
int cb_mod_install_builtin(void);           /* makes `Coldbrew` visible without an import */

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

/* cb_jsvar.c */
int cb_jsv_init(PyObject *module);           /* adds JavaScriptVariable and its functions */
int cb_jsv_check(PyObject *o);
int cb_jsv_encode(PyObject *o);              /* appends a JavaScriptVariable's record */
PyObject *cb_jsv_new(int32_t handle, int32_t this_handle);   /* takes ownership of both handles */
int32_t cb_jsv_hold_error(void);             /* a new handle of Module.cbLastJsError */
int32_t cb_jsv_handle(PyObject *o);          /* its handle, or -1 once destroyed */

/* cb_pyobj.c */
PyObject *cb_py_snake_name(PyObject *name);  /* mostCommon -> most_common, or NULL if unchanged */
int cb_py_casing(void);                      /* is transformVariableCasing on? */
int cb_py_nesting(void);                     /* JS -> Python calls now running */

/* cb_async.c */
int cb_rt_async_on(void);                    /* inside an async run (suspending imports allowed)? */
int cb_async_init(PyObject *module);         /* adds the asyncio helpers to the module */

/* utilities (cb_runtime.c) */
PyObject *cb_rt_main_dict(void);            /* borrowed: __main__.__dict__ */
void cb_rt_flush_stdio(void);               /* flushes sys.stdout/sys.stderr, keeps any error */

#endif
