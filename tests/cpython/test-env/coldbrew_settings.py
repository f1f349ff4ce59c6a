# The environment CPython's regression suite runs in (tests/cpython): the
# normal runtime plus CPython's own C test modules, compiled from CPython's
# tree ($CPYTHON/) into the wasm with C_EXTENSIONS. They are test scaffolding
# (hundreds of KB, and _testinternalcapi reaches into CPython's internals), so
# they stay out of the runtime users download; the suite needs them to import
# test_importlib, test_capi, test_ctypes and others. Built by tests/run-all.sh
# and make test-cpython-full (bash build/custom.sh tests/cpython/test-env).
# The lists of files are Modules/Setup.stdlib.in's.
modules = "$CPYTHON/Modules/"
# CPython compiles every module with Include/internal on the path (Argument
# Clinic's code includes pycore_modsupport.h); _testinternalcapi also as core.
internal = ["-I$CPYTHON/Include/internal"]
internal_api = ["-DPy_BUILD_CORE_MODULE", *internal]
C_EXTENSIONS = {
    "_testcapi": {
        "sources": [
            modules + "_testcapimodule.c",
            modules + "_testcapi/vectorcall.c",
            modules + "_testcapi/heaptype.c",
            modules + "_testcapi/abstract.c",
            modules + "_testcapi/unicode.c",
            modules + "_testcapi/dict.c",
            modules + "_testcapi/set.c",
            modules + "_testcapi/list.c",
            modules + "_testcapi/tuple.c",
            modules + "_testcapi/getargs.c",
            modules + "_testcapi/datetime.c",
            modules + "_testcapi/docstring.c",
            modules + "_testcapi/mem.c",
            modules + "_testcapi/watchers.c",
            modules + "_testcapi/long.c",
            modules + "_testcapi/float.c",
            modules + "_testcapi/complex.c",
            modules + "_testcapi/numbers.c",
            modules + "_testcapi/structmember.c",
            modules + "_testcapi/exceptions.c",
            modules + "_testcapi/code.c",
            modules + "_testcapi/buffer.c",
            modules + "_testcapi/pyatomic.c",
            modules + "_testcapi/run.c",
            modules + "_testcapi/file.c",
            modules + "_testcapi/codec.c",
            modules + "_testcapi/immortal.c",
            modules + "_testcapi/gc.c",
            modules + "_testcapi/hash.c",
            modules + "_testcapi/time.c",
            modules + "_testcapi/bytes.c",
            modules + "_testcapi/object.c",
            modules + "_testcapi/monitoring.c",
        ],
        "cflags": internal,
    },
    "_testinternalcapi": {
        "sources": [
            modules + "_testinternalcapi.c",
            modules + "_testinternalcapi/test_lock.c",
            modules + "_testinternalcapi/pytime.c",
            modules + "_testinternalcapi/set.c",
            modules + "_testinternalcapi/test_critical_sections.c",
        ],
        "cflags": internal_api,
    },
    "_testlimitedcapi": {
        "sources": [
            modules + "_testlimitedcapi.c",
            modules + "_testlimitedcapi/abstract.c",
            modules + "_testlimitedcapi/bytearray.c",
            modules + "_testlimitedcapi/bytes.c",
            modules + "_testlimitedcapi/complex.c",
            modules + "_testlimitedcapi/dict.c",
            modules + "_testlimitedcapi/eval.c",
            modules + "_testlimitedcapi/float.c",
            modules + "_testlimitedcapi/heaptype_relative.c",
            modules + "_testlimitedcapi/import.c",
            modules + "_testlimitedcapi/list.c",
            modules + "_testlimitedcapi/long.c",
            modules + "_testlimitedcapi/object.c",
            modules + "_testlimitedcapi/pyos.c",
            modules + "_testlimitedcapi/set.c",
            modules + "_testlimitedcapi/sys.c",
            modules + "_testlimitedcapi/tuple.c",
            modules + "_testlimitedcapi/unicode.c",
            modules + "_testlimitedcapi/vectorcall_limited.c",
            modules + "_testlimitedcapi/file.c",
        ],
        "cflags": internal,
    },
    "_testsinglephase": {
        "sources": [
            modules + "_testsinglephase.c",
        ],
        "cflags": internal,
    },
    "_testmultiphase": {
        "sources": [
            modules + "_testmultiphase.c",
        ],
        "cflags": internal,
    },
    "_testbuffer": {
        "sources": [
            modules + "_testbuffer.c",
        ],
        "cflags": internal,
    },
    "_testimportmultiple": {
        "sources": [
            modules + "_testimportmultiple.c",
        ],
        "cflags": internal,
    },
    # ctypes' tests open it as a library too: CDLL(_ctypes_test.__file__).
    "_ctypes_test": {
        "sources": [
            modules + "_ctypes/_ctypes_test.c",
        ],
        "cflags": internal,
        "ctypes": True,
    },
    "_xxtestfuzz": {
        "sources": [
            modules + "_xxtestfuzz/_xxtestfuzz.c",
            modules + "_xxtestfuzz/fuzzer.c",
        ],
        "cflags": internal,
    },
    "xxlimited": {
        "sources": [
            modules + "xxlimited.c",
        ],
        "cflags": internal,
    },
    "xxlimited_35": {
        "sources": [
            modules + "xxlimited_35.c",
        ],
        "cflags": internal,
    },
    "_testclinic": {
        "sources": [
            modules + "_testclinic.c",
        ],
        "cflags": internal,
    },
    "_testclinic_limited": {
        "sources": [
            modules + "_testclinic_limited.c",
        ],
        "cflags": internal,
    },
}
