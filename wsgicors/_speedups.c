/*
 * wsgicors._speedups: three pieces of wsgicors/fastpath.py in C, for speed only.
 *
 * - fast_tail and the bound start_response (actual_start_response): is every
 *   header name of a response one fastpath.py already learned is plain
 *   (neither Vary nor Access-Control-*)? Then the remembered tail is appended,
 *   exactly as the Python code does.
 * - Remembered (PolicyState.remembered): the answer remembered for an Origin;
 *   else, for an origin allowed by an exact entry or by a '*.host' entry with
 *   a one-label subdomain (the two cases OriginMatcher.decide answers without
 *   parsing, from the same tables), the answer PolicyState.actual would give,
 *   remembered as it would; else None, and the Python code decides.
 *
 * fastpath.py is the reference and the fallback: without a C compiler, on
 * PyPy, in a sub-interpreter, or with the environment variable
 * WSGICORS_PURE_PYTHON set, its own Python code serves. Whatever this code
 * does not fully understand (a header that is not an exact tuple, keyword
 * arguments, a call list changed under it, an origin outside the two cases)
 * it hands to the Python code, so its answers are the Python code's
 * (tests/core/test_speedups.py compares the two on generated input).
 *
 * Why C: a Python loop costs about 20 ns per header name, the Python frame of
 * start_response about 0.1 us per response, and deciding and remembering a new
 * origin in Python about 0.5 us; issue 16's targets (an allowed GET within
 * 1.3x a hand-written floor, 50 response headers and a new origin each within
 * 1.5x) need a few nanoseconds per name and a fraction of that per origin.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if PY_VERSION_HEX < 0x03090000
#error "wsgicors._speedups needs CPython 3.9 or later (vectorcall); fastpath.py serves older Pythons"
#endif
#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *Py_NewRef(PyObject *object) { Py_INCREF(object); return object; }  /* 3.10+ */
#endif

/* fastpath._plain (a set of exact str) and fastpath.actual_start_response, given by setup() */
static PyObject *plain = NULL;
static PyObject *fallback = NULL;
static PyObject *decorate_name = NULL;

enum scan { ALL_PLAIN, NOT_PLAIN, UNKNOWN };

/* Names found in `plain` before, by address: applications mostly send the same str objects
 * (literals) on every response, and comparing an address is cheaper than a set look-up. Each
 * slot holds a reference, so the object at a remembered address is the very name found. A
 * slot is filled once and kept: replacing it on a collision would make two names that share
 * a slot evict each other on every response (with hundreds of names, most of them). */
#define SEEN_BITS 12
#define SEEN_SLOTS (1 << SEEN_BITS)
static PyObject *seen[SEEN_SLOTS];

/* The slot of an address: Fibonacci hashing spreads the addresses of objects allocated one
 * after another (a fixed stride apart) over every slot; the low bits alone would use few. */
static inline size_t
seen_slot(PyObject *name)
{
    return (size_t)(((uint64_t)(uintptr_t)name * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - SEEN_BITS));
}

/* Whether every name of `headers` (an exact list) is in `plain`, read as the Python loop
 * reads it: in order, stopping at the first name that is not. UNKNOWN when an item before
 * that is not an exact tuple with an exact str first: the Python code then decides. */
static enum scan
scan_names(PyObject *headers)
{
    Py_ssize_t size = PyList_GET_SIZE(headers);
    for (Py_ssize_t i = 0; i < size; i++) {
        PyObject *header = PyList_GET_ITEM(headers, i);
        if (!PyTuple_CheckExact(header) || PyTuple_GET_SIZE(header) < 1)
            return UNKNOWN;
        PyObject *name = PyTuple_GET_ITEM(header, 0);
        size_t slot = seen_slot(name);
        if (seen[slot] == name)
            continue;
        if (!PyUnicode_CheckExact(name))
            return UNKNOWN;
        int found = PySet_Contains(plain, name);  /* an exact str: hashing and == run no Python code */
        if (found < 0) {
            PyErr_Clear();
            return UNKNOWN;
        }
        if (!found)
            return NOT_PLAIN;
        if (seen[slot] == NULL) {
            Py_INCREF(name);
            seen[slot] = name;
        }
    }
    return ALL_PLAIN;
}

/* [*headers, *tail]: a new list (headers an exact list, tail an exact tuple) */
static PyObject *
concat(PyObject *headers, PyObject *tail)
{
    Py_ssize_t size = PyList_GET_SIZE(headers), extra = PyTuple_GET_SIZE(tail);
    PyObject *out = PyList_New(size + extra);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < size; i++) {
        PyObject *item = PyList_GET_ITEM(headers, i);
        Py_INCREF(item);
        PyList_SET_ITEM(out, i, item);
    }
    for (Py_ssize_t i = 0; i < extra; i++) {
        PyObject *item = PyTuple_GET_ITEM(tail, i);
        Py_INCREF(item);
        PyList_SET_ITEM(out, size + i, item);
    }
    return out;
}

/* fast_tail(headers, tail): [*headers, *tail], or None; fastpath.fast_tail's contract */
static PyObject *
fast_tail(PyObject *module, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames)
{
    if (plain == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "wsgicors._speedups.setup() was not called");
        return NULL;
    }
    if ((kwnames != NULL && PyTuple_GET_SIZE(kwnames)) || nargs != 2)  /* the Python function's call */
        return PyObject_Vectorcall(PyTuple_GET_ITEM(fallback, 1), args, nargs, kwnames);
    PyObject *headers = args[0], *tail = args[1];
    if (!PyList_CheckExact(headers))
        Py_RETURN_NONE;  /* the Python function's answer for any other headers */
    switch (PyTuple_CheckExact(tail) ? scan_names(headers) : UNKNOWN) {
    case ALL_PLAIN:
        return concat(headers, tail);
    case NOT_PLAIN:
        Py_RETURN_NONE;
    default:
        return PyObject_CallFunctionObjArgs(PyTuple_GET_ITEM(fallback, 1), headers, tail, NULL);
    }
}

/* BoundStartResponse: fastpath.actual_start_response bound to its request's call list */
typedef struct {
    PyObject_HEAD
    PyObject *call;
    vectorcallfunc vectorcall;
    PyObject *weakrefs;
} Bound;

/* The Python original, bound to the same call list, answers this call (a rare shape) */
static PyObject *
call_fallback(Bound *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    PyObject *bound = PyMethod_New(PyTuple_GET_ITEM(fallback, 0), self->call != NULL ? self->call : Py_None);
    if (bound == NULL)
        return NULL;
    PyObject *result = PyObject_Vectorcall(bound, args, nargsf, kwnames);
    Py_DECREF(bound);
    return result;
}

static PyObject *
bound_call(Bound *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    PyObject *call = self->call;
    if (call == NULL || (kwnames != NULL && PyTuple_GET_SIZE(kwnames)) || nargs < 2 || nargs > 3 ||
            !PyList_CheckExact(call) || PyList_GET_SIZE(call) != 5)
        return call_fallback(self, args, nargsf, kwnames);
    /* call[4] = True (started) first, as the Python function does. The old value's finalizer may
     * run here, and Python code may change the list: from here on every item is read anew, and
     * the Python function takes over when the list is not as it was. */
    Py_INCREF(Py_True);
    if (PyList_SetItem(call, 4, Py_True) < 0)
        return NULL;
    if (PyList_GET_SIZE(call) != 5)
        return call_fallback(self, args, nargsf, kwnames);
    PyObject *entry = PyList_GET_ITEM(call, 0);
    if (!PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 2)
        return call_fallback(self, args, nargsf, kwnames);
    PyObject *status = args[0], *headers = args[1];
    PyObject *exc_info = nargs == 3 ? args[2] : Py_None;
    PyObject *tail = PyTuple_GET_ITEM(entry, 1);
    PyObject *decorated = NULL;
    if (tail != Py_None && PyList_CheckExact(headers)) {
        enum scan found = PyTuple_CheckExact(tail) ? scan_names(headers) : UNKNOWN;  /* runs no Python code */
        if (found == UNKNOWN)
            return call_fallback(self, args, nargsf, kwnames);
        if (found == ALL_PLAIN) {
            decorated = concat(headers, tail);
            if (decorated == NULL)
                PyErr_Clear();  /* the Python function's try clause: the engine decorates instead */
        }
    }
    if (decorated == NULL) {  /* call[1].decorate(headers, entry[0], None, call[2]) */
        PyObject *stack[5] = {PyList_GET_ITEM(call, 1), headers, PyTuple_GET_ITEM(entry, 0), Py_None,
                              PyList_GET_ITEM(call, 2)};
        Py_INCREF(entry);
        Py_INCREF(stack[0]);
        Py_INCREF(stack[4]);
        decorated = PyObject_VectorcallMethod(decorate_name, stack, 5, NULL);
        Py_DECREF(stack[0]);
        Py_DECREF(stack[4]);
        Py_DECREF(entry);
        if (decorated == NULL)
            return NULL;
    }
    /* call[3], read after decorate ran, as the Python function reads it */
    if (PyList_GET_SIZE(call) < 4) {
        Py_DECREF(decorated);
        PyErr_SetString(PyExc_IndexError, "list index out of range");
        return NULL;
    }
    PyObject *start_response = PyList_GET_ITEM(call, 3);
    Py_INCREF(start_response);
    PyObject *stack[3] = {status, decorated, exc_info};
    PyObject *result = NULL;
    if (Py_EnterRecursiveCall(" in wsgicors start_response") == 0) {  /* a start_response that is this one */
        result = PyObject_Vectorcall(start_response, stack, exc_info == Py_None ? 2 : 3, NULL);
        Py_LeaveRecursiveCall();
    }
    Py_DECREF(start_response);
    Py_DECREF(decorated);
    return result;
}

static int
bound_traverse(Bound *self, visitproc visit, void *arg)
{
    Py_VISIT(self->call);
    return 0;
}

static int
bound_clear(Bound *self)
{
    Py_CLEAR(self->call);
    return 0;
}

static void
bound_dealloc(Bound *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakrefs != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
    Py_CLEAR(self->call);
    PyObject_GC_Del(self);
}

static PyObject *
bound_get_self(Bound *self, void *closure)
{
    PyObject *call = self->call != NULL ? self->call : Py_None;
    Py_INCREF(call);
    return call;
}

static PyObject *
bound_get_func(Bound *self, void *closure)
{
    PyObject *function = PyTuple_GET_ITEM(fallback, 0);
    Py_INCREF(function);
    return function;
}

/* as a bound method of fastpath.actual_start_response: __self__ (the call list) and __func__ */
static PyGetSetDef bound_getset[] = {
    {"__self__", (getter)bound_get_self, NULL, "the request's call list, as for a bound method", NULL},
    {"__func__", (getter)bound_get_func, NULL, "fastpath.actual_start_response, the Python original", NULL},
    {NULL}
};

static PyTypeObject BoundType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wsgicors._speedups.BoundStartResponse",
    .tp_doc = "fastpath.actual_start_response bound to one request's call list (in C)",
    .tp_basicsize = sizeof(Bound),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(Bound, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_traverse = (traverseproc)bound_traverse,
    .tp_clear = (inquiry)bound_clear,
    .tp_dealloc = (destructor)bound_dealloc,
    .tp_getset = bound_getset,
    .tp_weaklistoffset = offsetof(Bound, weakrefs),
};

/* Remembered: PolicyState.remembered(origin), in C. The answer PolicyState.actual remembered
 * for the origin; else, for an origin the policy allows by an exact entry or a '*.host' entry
 * (OriginMatcher.decide's two fast cases), that answer, built and remembered here as
 * PolicyState.actual would; else None (the caller then asks PolicyState.actual). */
typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *memo;          /* PolicyState.actuals (dict) */
    Py_ssize_t memo_size;    /* fastpath.MEMO_SIZE */
    PyObject *exact;         /* OriginMatcher.exact (frozenset of str) */
    PyObject *https_hosts;   /* OriginMatcher.label_hosts["https"] or None */
    PyObject *http_hosts;    /* OriginMatcher.label_hosts["http"] or None */
    Py_ssize_t max_length;   /* origins.FAST_MAX_LENGTH: longer origins are the fallback's */
    PyObject *allow_name;    /* "Access-Control-Allow-Origin" */
    PyObject *extra;         /* PolicyState.allowed_extra (tuple) */
    PyObject *tail;          /* PolicyState.allowed_tail (tuple), or None when fast_decorate is false */
    PyObject *last_host;     /* the host last found in a '*.' table (NULL: none yet): the tenants of one
                              * wildcard share it, and comparing bytes is cheaper than a new str + hash */
    PyObject *last_hosts;    /* the table it was found in */
} Remembered;

/* One host label as browsers send it (origins._WEB_LABEL): [a-z0-9_], '-' inside, 1 to 63 characters */
static int
web_label(const Py_UCS1 *text, Py_ssize_t size)
{
    if (size < 1 || size > 63 || text[0] == '-' || text[size - 1] == '-')
        return 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        Py_UCS1 c = text[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* 1 when `origin` is scheme "://" label "." host, host one of the scheme's '*.' hosts
 * (OriginMatcher.decide's second case); 0 when not; -1 on error */
static int
label_host(Remembered *self, PyObject *origin, Py_ssize_t size)
{
    const Py_UCS1 *text = PyUnicode_1BYTE_DATA(origin);
    PyObject *hosts;
    Py_ssize_t start;
    if (size > 8 && memcmp(text, "https://", 8) == 0) {
        hosts = self->https_hosts, start = 8;
    } else if (size > 7 && memcmp(text, "http://", 7) == 0) {
        hosts = self->http_hosts, start = 7;
    } else {
        return 0;
    }
    if (hosts == Py_None)
        return 0;
    const Py_UCS1 *dot = memchr(text + start, '.', size - start);
    if (dot == NULL || !web_label(text + start, dot - text - start))
        return 0;
    Py_ssize_t host_start = dot - text + 1;
    PyObject *last = self->last_host;
    if (last != NULL && self->last_hosts == hosts && PyUnicode_GET_LENGTH(last) == size - host_start &&
            memcmp(PyUnicode_1BYTE_DATA(last), text + host_start, size - host_start) == 0)
        return 1;
    PyObject *host = PyUnicode_Substring(origin, host_start, size);
    if (host == NULL)
        return -1;
    int found = PySet_Contains(hosts, host);
    if (found == 1) {
        Py_INCREF(hosts);
        Py_XSETREF(self->last_hosts, hosts);
        Py_XSETREF(self->last_host, host);  /* the reference made by PyUnicode_Substring */
        return 1;
    }
    Py_DECREF(host);
    return found;
}

/* (first, *rest): a new tuple (rest an exact tuple) */
static PyObject *
prepended(PyObject *first, PyObject *rest)
{
    Py_ssize_t size = PyTuple_GET_SIZE(rest);
    PyObject *out = PyTuple_New(1 + size);
    if (out == NULL)
        return NULL;
    PyTuple_SET_ITEM(out, 0, Py_NewRef(first));
    for (Py_ssize_t i = 0; i < size; i++)
        PyTuple_SET_ITEM(out, i + 1, Py_NewRef(PyTuple_GET_ITEM(rest, i)));
    return out;
}

static PyObject *
remembered_call(Remembered *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (PyVectorcall_NARGS(nargsf) != 1 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames))) {
        PyErr_SetString(PyExc_TypeError, "remembered(origin) takes one argument");
        return NULL;
    }
    PyObject *origin = args[0];
    PyObject *entry = PyDict_GetItemWithError(self->memo, origin);
    if (entry != NULL) {
        Py_INCREF(entry);
        return entry;
    }
    if (PyErr_Occurred())
        return NULL;
    if (!PyUnicode_CheckExact(origin) || !PyUnicode_IS_ASCII(origin))
        Py_RETURN_NONE;
    Py_ssize_t size = PyUnicode_GET_LENGTH(origin);
    if (size > self->max_length)
        Py_RETURN_NONE;
    int allowed = PySet_Contains(self->exact, origin);
    if (allowed == 0)
        allowed = label_host(self, origin, size);
    if (allowed < 0)
        return NULL;
    if (!allowed)
        Py_RETURN_NONE;
    /* ((allow,) + extra, (allow, *tail) or None): PolicyState.actual's entry for an allowed origin */
    PyObject *allow = PyTuple_Pack(2, self->allow_name, origin);
    if (allow == NULL)
        return NULL;
    PyObject *add = prepended(allow, self->extra);
    PyObject *tail = self->tail == Py_None ? Py_NewRef(Py_None) : prepended(allow, self->tail);
    Py_DECREF(allow);
    entry = add != NULL && tail != NULL ? PyTuple_Pack(2, add, tail) : NULL;
    Py_XDECREF(add);
    Py_XDECREF(tail);
    if (entry == NULL)
        return NULL;
    if (PyDict_GET_SIZE(self->memo) >= self->memo_size)
        PyDict_Clear(self->memo);
    if (PyDict_SetItem(self->memo, origin, entry) < 0) {
        Py_DECREF(entry);
        return NULL;
    }
    return entry;
}

static int
remembered_traverse(Remembered *self, visitproc visit, void *arg)
{
    Py_VISIT(self->memo);
    Py_VISIT(self->exact);
    Py_VISIT(self->https_hosts);
    Py_VISIT(self->http_hosts);
    Py_VISIT(self->allow_name);
    Py_VISIT(self->extra);
    Py_VISIT(self->tail);
    Py_VISIT(self->last_host);
    Py_VISIT(self->last_hosts);
    return 0;
}

static int
remembered_clear(Remembered *self)
{
    Py_CLEAR(self->memo);
    Py_CLEAR(self->exact);
    Py_CLEAR(self->https_hosts);
    Py_CLEAR(self->http_hosts);
    Py_CLEAR(self->allow_name);
    Py_CLEAR(self->extra);
    Py_CLEAR(self->tail);
    Py_CLEAR(self->last_host);
    Py_CLEAR(self->last_hosts);
    return 0;
}

static void
remembered_dealloc(Remembered *self)
{
    PyObject_GC_UnTrack(self);
    remembered_clear(self);
    PyObject_GC_Del(self);
}

static PyTypeObject RememberedType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "wsgicors._speedups.Remembered",
    .tp_doc = "PolicyState.remembered in C: remembered answers, and those of origins allowed by an exact or '*.host' entry",
    .tp_basicsize = sizeof(Remembered),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(Remembered, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_traverse = (traverseproc)remembered_traverse,
    .tp_clear = (inquiry)remembered_clear,
    .tp_dealloc = (destructor)remembered_dealloc,
};

/* remembered(memo, memo_size, exact, https_hosts, http_hosts, max_length, allow_name, extra, tail) */
static PyObject *
remembered(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 9 || !PyDict_CheckExact(args[0]) || !PyLong_Check(args[1]) || !PyAnySet_CheckExact(args[2]) ||
            (args[3] != Py_None && !PyAnySet_CheckExact(args[3])) ||
            (args[4] != Py_None && !PyAnySet_CheckExact(args[4])) || !PyLong_Check(args[5]) ||
            !PyUnicode_CheckExact(args[6]) || !PyTuple_CheckExact(args[7]) ||
            (args[8] != Py_None && !PyTuple_CheckExact(args[8]))) {
        PyErr_SetString(PyExc_TypeError, "remembered(memo: dict, memo_size: int, exact: frozenset, "
                        "https_hosts, http_hosts: frozenset or None, max_length: int, allow_name: str, "
                        "extra: tuple, tail: tuple or None)");
        return NULL;
    }
    Py_ssize_t memo_size = PyLong_AsSsize_t(args[1]), max_length = PyLong_AsSsize_t(args[5]);
    if ((memo_size == -1 || max_length == -1) && PyErr_Occurred())
        return NULL;
    Remembered *self = PyObject_GC_New(Remembered, &RememberedType);
    if (self == NULL)
        return NULL;
    self->vectorcall = (vectorcallfunc)remembered_call;
    PyObject **fields[] = {&self->memo, NULL, &self->exact, &self->https_hosts, &self->http_hosts, NULL,
                           &self->allow_name, &self->extra, &self->tail};
    for (int i = 0; i < 9; i++) {
        if (fields[i] != NULL) {
            Py_INCREF(args[i]);
            *fields[i] = args[i];
        }
    }
    self->memo_size = memo_size;
    self->max_length = max_length;
    self->last_host = self->last_hosts = NULL;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

/* bind(call): fastpath.bind_start_response's contract */
static PyObject *
bind(PyObject *module, PyObject *call)
{
    if (fallback == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "wsgicors._speedups.setup() was not called");
        return NULL;
    }
    Bound *self = PyObject_GC_New(Bound, &BoundType);
    if (self == NULL)
        return NULL;
    Py_INCREF(call);
    self->call = call;
    self->vectorcall = (vectorcallfunc)bound_call;
    self->weakrefs = NULL;
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

/* setup(plain, actual_start_response, fast_tail): the Python originals, once, at import */
static PyObject *
setup(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    /* One state per process (the set of plain names, the Python originals): a sub-interpreter
     * (mod_wsgi's application groups) would replace the main interpreter's with its own. CPython
     * hands sub-interpreters a copy of this module without calling PyInit again: refused here. */
    if (PyInterpreterState_Get() != PyInterpreterState_Main()) {
        PyErr_SetString(PyExc_ImportError, "wsgicors._speedups serves the main interpreter only; "
                        "wsgicors/fastpath.py's Python code serves sub-interpreters");
        return NULL;
    }
    if (nargs != 3 || !PySet_CheckExact(args[0])) {
        PyErr_SetString(PyExc_TypeError, "setup(plain: set, actual_start_response, fast_tail)");
        return NULL;
    }
    PyObject *functions = PyTuple_Pack(2, args[1], args[2]);
    if (functions == NULL)
        return NULL;
    for (int i = 0; i < SEEN_SLOTS; i++)  /* remembered against the set given before */
        Py_CLEAR(seen[i]);
    Py_INCREF(args[0]);
    Py_XSETREF(plain, args[0]);
    Py_XSETREF(fallback, functions);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"setup", (PyCFunction)(void (*)(void))setup, METH_FASTCALL,
     "setup(plain, actual_start_response, fast_tail): the set of plain names and the Python originals"},
    {"bind", (PyCFunction)bind, METH_O, "bind(call): actual_start_response bound to call"},
    {"remembered", (PyCFunction)(void (*)(void))remembered, METH_FASTCALL,
     "remembered(memo, memo_size, exact, https_hosts, http_hosts, max_length, allow_name, extra, tail): "
     "PolicyState.remembered in C"},
    {"fast_tail", (PyCFunction)(void (*)(void))fast_tail, METH_FASTCALL | METH_KEYWORDS,
     "fast_tail(headers, tail): headers + tail when every name is plain, else None"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "wsgicors._speedups",
    "fastpath.py's header-name check and bound start_response, in C (optional; see fastpath.py)", -1, methods
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&BoundType) < 0 || PyType_Ready(&RememberedType) < 0)
        return NULL;
    decorate_name = PyUnicode_InternFromString("decorate");
    if (decorate_name == NULL)
        return NULL;
    return PyModule_Create(&module_def);
}
