/*
 * wsgicors._speedups: two functions of wsgicors/fastpath.py in C, for speed only.
 *
 * fastpath.py is the reference and the fallback: without a C compiler, on
 * PyPy, or with the environment variable WSGICORS_PURE_PYTHON set, it uses its
 * own Python code. This module never decides anything about CORS: it checks
 * that every header name of a response is one fastpath.py already learned is
 * plain (neither Vary nor Access-Control-*), and then appends the remembered
 * tail, exactly as the Python code does. Whatever it does not fully understand
 * (a header that is not an exact tuple, keyword arguments, a wrong number of
 * arguments) it hands to the Python function, so its answers are the Python
 * code's (tests/core/test_speedups.py compares the two).
 *
 * Why C: a Python loop costs about 20 ns per header name and the Python frame
 * of start_response about 0.1 us per response; issue 16's targets (an allowed
 * GET within 1.3x a hand-written floor, 50 response headers within 1.5x of 5)
 * need less than 10 ns per name.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>

#if PY_VERSION_HEX < 0x03090000
#error "wsgicors._speedups needs CPython 3.9 or later (vectorcall); fastpath.py serves older Pythons"
#endif

/* fastpath._plain (a set of exact str) and fastpath.actual_start_response, given by setup() */
static PyObject *plain = NULL;
static PyObject *fallback = NULL;
static PyObject *decorate_name = NULL;

enum scan { ALL_PLAIN, NOT_PLAIN, UNKNOWN };

/* Names found in `plain` before, by address: applications mostly send the same str objects
 * (literals) on every response, and comparing an address is cheaper than a set look-up. Each
 * slot holds a reference, so the object at a remembered address is the very name found. */
#define SEEN_SLOTS 512
static PyObject *seen[SEEN_SLOTS];

static inline size_t
seen_slot(PyObject *name)
{
    return ((size_t)name >> 5) & (SEEN_SLOTS - 1);
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
        Py_INCREF(name);
        Py_XSETREF(seen[slot], name);
    }
    return ALL_PLAIN;
}

/* headers + tail: a new list (both exact lists) */
static PyObject *
concat(PyObject *headers, PyObject *tail)
{
    Py_ssize_t size = PyList_GET_SIZE(headers), extra = PyList_GET_SIZE(tail);
    PyObject *out = PyList_New(size + extra);
    if (out == NULL)
        return NULL;
    for (Py_ssize_t i = 0; i < size; i++) {
        PyObject *item = PyList_GET_ITEM(headers, i);
        Py_INCREF(item);
        PyList_SET_ITEM(out, i, item);
    }
    for (Py_ssize_t i = 0; i < extra; i++) {
        PyObject *item = PyList_GET_ITEM(tail, i);
        Py_INCREF(item);
        PyList_SET_ITEM(out, size + i, item);
    }
    return out;
}

/* fast_tail(headers, tail): headers + tail, or None; fastpath.fast_tail's contract */
static PyObject *
fast_tail(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2) {
        PyErr_SetString(PyExc_TypeError, "fast_tail(headers, tail) takes two arguments");
        return NULL;
    }
    if (plain == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "wsgicors._speedups.setup() was not called");
        return NULL;
    }
    PyObject *headers = args[0], *tail = args[1];
    if (!PyList_CheckExact(headers))
        Py_RETURN_NONE;  /* the Python function's answer for any other headers */
    switch (PyList_CheckExact(tail) ? scan_names(headers) : UNKNOWN) {
    case ALL_PLAIN:
        return concat(headers, tail);
    case NOT_PLAIN:
        Py_RETURN_NONE;
    default:
        return PyObject_CallFunctionObjArgs(fallback == NULL ? Py_None : PyTuple_GET_ITEM(fallback, 1),
                                            headers, tail, NULL);
    }
}

/* BoundStartResponse: fastpath.actual_start_response bound to its request's call list */
typedef struct {
    PyObject_HEAD
    PyObject *call;
    vectorcallfunc vectorcall;
} Bound;

static PyObject *
call_fallback(Bound *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf), total = nargs + (kwnames ? PyTuple_GET_SIZE(kwnames) : 0);
    PyObject *stack[8];
    if (total + 1 > 8) {  /* more arguments than start_response takes: let Python say so */
        PyObject *bound = PyMethod_New(PyTuple_GET_ITEM(fallback, 0), self->call);
        if (bound == NULL)
            return NULL;
        PyObject *result = PyObject_Vectorcall(bound, args, nargsf, kwnames);
        Py_DECREF(bound);
        return result;
    }
    stack[0] = self->call;
    for (Py_ssize_t i = 0; i < total; i++)
        stack[i + 1] = args[i];
    return PyObject_Vectorcall(PyTuple_GET_ITEM(fallback, 0), stack, nargs + 1, kwnames);
}

static PyObject *
bound_call(Bound *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    PyObject *call = self->call;
    if ((kwnames != NULL && PyTuple_GET_SIZE(kwnames)) || nargs < 2 || nargs > 3 ||
            !PyList_CheckExact(call) || PyList_GET_SIZE(call) != 5)
        return call_fallback(self, args, nargsf, kwnames);
    PyObject *entry = PyList_GET_ITEM(call, 0);
    if (!PyTuple_CheckExact(entry) || PyTuple_GET_SIZE(entry) != 2)
        return call_fallback(self, args, nargsf, kwnames);
    PyObject *status = args[0], *headers = args[1];
    PyObject *exc_info = nargs == 3 ? args[2] : Py_None;
    PyObject *tail = PyTuple_GET_ITEM(entry, 1);
    enum scan found = NOT_PLAIN;
    if (tail != Py_None && PyList_CheckExact(headers)) {
        found = PyList_CheckExact(tail) ? scan_names(headers) : UNKNOWN;
        if (found == UNKNOWN)
            return call_fallback(self, args, nargsf, kwnames);
    }
    Py_INCREF(entry);  /* kept while call[4] is replaced below */
    Py_INCREF(Py_True);
    PyObject *old = PyList_GET_ITEM(call, 4);
    PyList_SET_ITEM(call, 4, Py_True);  /* started */
    Py_XDECREF(old);
    PyObject *decorated;
    if (found == ALL_PLAIN) {
        decorated = concat(headers, tail);
    } else {  /* call[1].decorate(headers, entry[0], None, call[2]) */
        PyObject *stack[5] = {PyList_GET_ITEM(call, 1), headers, PyTuple_GET_ITEM(entry, 0), Py_None,
                              PyList_GET_ITEM(call, 2)};
        Py_INCREF(stack[0]);
        Py_INCREF(stack[4]);
        decorated = PyObject_VectorcallMethod(decorate_name, stack, 5, NULL);
        Py_DECREF(stack[0]);
        Py_DECREF(stack[4]);
    }
    Py_DECREF(entry);
    if (decorated == NULL)
        return NULL;
    PyObject *start_response = PyList_GET_ITEM(call, 3);
    Py_INCREF(start_response);
    PyObject *stack[3] = {status, decorated, exc_info};
    PyObject *result = PyObject_Vectorcall(start_response, stack, exc_info == Py_None ? 2 : 3, NULL);
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
    Py_CLEAR(self->call);
    PyObject_GC_Del(self);
}

static PyObject *
bound_get_self(Bound *self, void *closure)
{
    Py_INCREF(self->call);
    return self->call;
}

static PyGetSetDef bound_getset[] = {
    {"__self__", (getter)bound_get_self, NULL, "the request's call list, as for a bound method", NULL},
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
};

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
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

/* setup(plain, actual_start_response, fast_tail): the Python originals, once, at import */
static PyObject *
setup(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 3 || !PySet_CheckExact(args[0])) {
        PyErr_SetString(PyExc_TypeError, "setup(plain: set, actual_start_response, fast_tail)");
        return NULL;
    }
    PyObject *functions = PyTuple_Pack(2, args[1], args[2]);
    if (functions == NULL)
        return NULL;
    Py_INCREF(args[0]);
    Py_XSETREF(plain, args[0]);
    Py_XSETREF(fallback, functions);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"setup", (PyCFunction)(void (*)(void))setup, METH_FASTCALL,
     "setup(plain, actual_start_response, fast_tail): the set of plain names and the Python originals"},
    {"bind", (PyCFunction)bind, METH_O, "bind(call): actual_start_response bound to call"},
    {"fast_tail", (PyCFunction)(void (*)(void))fast_tail, METH_FASTCALL,
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
    if (PyType_Ready(&BoundType) < 0)
        return NULL;
    decorate_name = PyUnicode_InternFromString("decorate");
    if (decorate_name == NULL)
        return NULL;
    return PyModule_Create(&module_def);
}
