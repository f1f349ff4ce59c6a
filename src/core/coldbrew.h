/* coldbrew.h: declarations shared by the Coldbrew C core.
 *
 * The core is split by subsystem, one prefix each:
 *   cb_rt_   cb_runtime.c  interpreter start-up and the entry points exported to JS
 *   cb_err_  cb_error.c    exception capture and reporting across the boundary
 *   cb_mod_  cb_module.c   the built-in `Coldbrew` module Python code sees
 * Functions follow CPython's convention: NULL or -1 with a Python exception set.
 * Entry points exported to JS (EMSCRIPTEN_KEEPALIVE) never leave an exception
 * set: they report it to JS through cb_err_report() and return -1.
 */
#ifndef COLDBREW_H
#define COLDBREW_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <emscripten.h>

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

/* utilities (cb_runtime.c) */
PyObject *cb_rt_main_dict(void);            /* borrowed: __main__.__dict__ */
void cb_rt_flush_stdio(void);               /* flushes sys.stdout/sys.stderr, keeps any error */

#endif
