/* cb_names.c: names as JavaScript and Python spell them (transformVariableCasing).
 *
 * The one definition of the casing rule, used in both directions:
 *   snake_case -> camelCase  (most_common -> mostCommon): each '_' followed by
 *                            a character other than '_' is dropped and that
 *                            character upper-cased;
 *   camelCase -> snake_case  (mostCommon -> most_common, toISOString ->
 *                            to_iso_string, innerHTML -> inner_html): '_'
 *                            before a capital that follows a lower-case letter
 *                            or digit, or that starts a word after capitals;
 *                            then everything lower-cased.
 * A name starting with '_' is never changed (Python's private names,
 * JavaScript's _underscore convention). Only ASCII letters change case.
 *
 * cb_pyobj.c converts with the PyObject forms; the JS half of the bridge
 * (src/js/js-ops.js) calls the export cb_names_convert for names of JS
 * properties, so the rule is written once. Lowest layer: plain C and
 * PyUnicode only.
 */
#include "coldbrew.h"

#include <string.h>

static int cb_names_casing_on = 1;

int
cb_names_casing(void)
{
    return cb_names_casing_on;
}

CB_EXPORT void
cb_names_set_casing(int on)
{
    cb_names_casing_on = on;
}

static int cb_is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static int cb_is_lower(char c) { return c >= 'a' && c <= 'z'; }
static int cb_is_digit(char c) { return c >= '0' && c <= '9'; }

/* Writes the snake_case form of s[0..n) into out (room for 2n bytes);
 * returns its length, or -1 when the name does not change. */
static long
cb_names_to_snake(const char *s, size_t n, char *out)
{
    int upper_inside = 0;
    for (size_t i = 1; i < n; i++) {
        upper_inside |= cb_is_upper(s[i]);
    }
    if (n == 0 || s[0] == '_' || !upper_inside) {
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (cb_is_upper(c) && i > 0) {
            char prev = s[i - 1];
            int next_low = i + 1 < n && cb_is_lower(s[i + 1]);
            if (cb_is_lower(prev) || cb_is_digit(prev) || (cb_is_upper(prev) && next_low)) {
                out[k++] = '_';
            }
        }
        out[k++] = cb_is_upper(c) ? (char)(c - 'A' + 'a') : c;
    }
    return (long)k;
}

/* Writes the camelCase form of s[0..n) into out (room for n bytes);
 * returns its length, or -1 when the name does not change. */
static long
cb_names_to_camel(const char *s, size_t n, char *out)
{
    if (n == 0 || s[0] == '_' || memchr(s, '_', n) == NULL) {
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_' && i + 1 < n && s[i + 1] != '_') {
            char c = s[++i];
            out[k++] = cb_is_lower(c) ? (char)(c - 'a' + 'A') : c;
        } else {
            out[k++] = s[i];
        }
    }
    return k == n && memcmp(s, out, n) == 0 ? -1 : (long)k;
}

/* For JS: the converted name in out (room for 2n bytes), its length, or -1
 * when unchanged. to_snake: 1 camel -> snake, 0 snake -> camel. */
CB_EXPORT long
cb_names_convert(int to_snake, const char *s, long n, char *out)
{
    return to_snake ? cb_names_to_snake(s, (size_t)n, out) : cb_names_to_camel(s, (size_t)n, out);
}

/* The PyObject forms: a new str, or NULL (no exception set) when the name
 * does not change or cannot be read; NULL with MemoryError when out of memory. */
static PyObject *
cb_names_convert_str(PyObject *name, int to_snake)
{
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(name, &n);
    if (s == NULL) {
        PyErr_Clear();
        return NULL;
    }
    char *out = PyMem_Malloc((size_t)n * 2 + 1);
    if (out == NULL) {
        return PyErr_NoMemory();
    }
    long k = cb_names_convert(to_snake, s, (long)n, out);
    PyObject *r = k < 0 ? NULL : PyUnicode_FromStringAndSize(out, (Py_ssize_t)k);
    PyMem_Free(out);
    return r;
}

PyObject *
cb_names_snake(PyObject *name)
{
    return cb_names_convert_str(name, 1);
}

PyObject *
cb_names_camel(PyObject *name)
{
    return cb_names_convert_str(name, 0);
}
