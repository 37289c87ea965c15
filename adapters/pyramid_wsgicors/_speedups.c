/*
 * pyramid_wsgicors._speedups: the one-policy tween's actual-request path in C, for speed only.
 *
 * pyramid_wsgicors/__init__.py's _one_policy_tween is the reference and the
 * fallback. This type serves an actual request the way that Python function
 * does when the request takes its common course: no preflight, an answer
 * remembered for the Origin (wsgicors' PolicyState.remembered), a WebOb
 * Response whose headers the core's fast_tail can extend, and no response or
 * finished callback queued. Anything else goes to the Python code: before the
 * handler ran, the whole request (the Python tween); after, the response
 * (its general path, `finished`). Whatever happens, the handler runs once.
 * tests/adapters/test_pyramid_speedups.py holds the two equal.
 *
 * Why C: the Python tween's own frame, the checks around the Response and
 * WebOb's headerlist property cost about as much as CORSMiddleware's whole
 * overhead around the same Pyramid app (issue 16: the tween within 1.5x of it).
 * It is built with wsgicors._speedups and used only when that one serves.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stddef.h>

#if PY_VERSION_HEX < 0x03090000
#error "pyramid_wsgicors._speedups needs CPython 3.9 or later (vectorcall); the Python tween serves older Pythons"
#endif

/* interned at import: the attribute and environ key names the Python tween spells */
static PyObject *s_environ, *s_request_method, *s_options, *s_http_origin, *s_headerlist, *s_private_headerlist,
    *s_headers_view, *s_response_callbacks, *s_finished_callbacks;

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *handler;     /* the tween (or view handler) below this one */
    PyObject *remembered;  /* PolicyState.remembered: the remembered (added, tail) for an Origin, or None */
    PyObject *fast_tail;   /* PolicyState.fast_tail(headers, tail): headers + tail, or None */
    PyObject *owner_key;   /* wsgicors.middleware.OWNER_KEY */
    PyObject *headerlist;  /* webob.response.Response.headerlist, the property */
    PyObject *tween;       /* the Python tween: a request this one does not serve, before the handler ran */
    PyObject *finished;    /* its general path after the handler: finished(request, response, environ, entry) */
} Tween;

static PyObject *
call_one(PyObject *callable, PyObject *arg)
{
    PyObject *args[1] = {arg};
    return PyObject_Vectorcall(callable, args, 1, NULL);
}

/* 1 when environ's REQUEST_METHOD is not "OPTIONS" (absent counts), 0 when it is or may be
 * (not an exact str: the Python tween's == decides), -1 on error */
static int
not_options(PyObject *environ)
{
    PyObject *method = PyDict_GetItemWithError(environ, s_request_method);
    if (method == NULL)
        return PyErr_Occurred() ? -1 : 1;
    if (!PyUnicode_CheckExact(method))
        return 0;
    return PyUnicode_Compare(method, s_options) != 0;
}

/* 1 when response is decorated in place (the common course); 0 when the Python code must
 * finish it; -1 on error (as the Python tween would raise it) */
static int
decorate_now(Tween *self, PyObject *request, PyObject *response, PyObject *tail)
{
    /* getattr(type(response), "headerlist", None) is WEBOB_HEADERLIST, for a type whose
     * metatype is type (a metatype may define what getattr on the class finds first) */
    PyTypeObject *type = Py_TYPE(response);
    if (Py_TYPE(type) != &PyType_Type || _PyType_Lookup(type, s_headerlist) != self->headerlist)
        return 0;
    PyObject *attrs = PyObject_GenericGetDict(request, NULL);  /* request.__dict__ */
    if (attrs == NULL)
        return -1;
    int queued = PyDict_Contains(attrs, s_response_callbacks);
    if (queued == 0)
        queued = PyDict_Contains(attrs, s_finished_callbacks);
    Py_DECREF(attrs);
    if (queued != 0)
        return queued < 0 ? -1 : 0;
    PyObject *headers = PyObject_GetAttr(response, s_private_headerlist);
    if (headers == NULL)
        return -1;
    PyObject *args[2] = {headers, tail};
    PyObject *fast = PyObject_Vectorcall(self->fast_tail, args, 2, NULL);
    Py_DECREF(headers);
    if (fast == NULL)
        return -1;
    if (fast == Py_None) {
        Py_DECREF(fast);
        return 0;
    }
    /* WebOb's headerlist setter: the _headers view emptied, then the new list */
    int failed = PyObject_SetAttr(response, s_headers_view, Py_None) < 0 ||
                 PyObject_SetAttr(response, s_private_headerlist, fast) < 0;
    Py_DECREF(fast);
    return failed ? -1 : 1;
}

/* the request after the handler ran: decorated here, or finished by the Python code */
static PyObject *
respond(Tween *self, PyObject *request, PyObject *environ, PyObject *entry)
{
    PyObject *response = call_one(self->handler, request);
    if (response == NULL)
        return NULL;
    int done = decorate_now(self, request, response, PyTuple_GET_ITEM(entry, 1));
    if (done != 0) {
        if (done < 0)
            Py_CLEAR(response);
        return response;
    }
    PyObject *args[4] = {request, response, environ, entry};
    PyObject *result = PyObject_Vectorcall(self->finished, args, 4, NULL);
    Py_DECREF(response);
    return result;
}

static PyObject *
tween_call(Tween *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (PyVectorcall_NARGS(nargsf) != 1 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames)))
        return PyObject_Vectorcall(self->tween, args, nargsf, kwnames);
    PyObject *request = args[0];
    PyObject *environ = PyObject_GetAttr(request, s_environ);
    if (environ == NULL)
        return NULL;
    PyObject *result = NULL, *entry = NULL;
    int common = PyDict_CheckExact(environ);
    if (common) {  /* not a request a layer around this app owns (OWNER_KEY), not a preflight */
        common = PyDict_Contains(environ, self->owner_key);
        common = common < 0 ? -1 : !common;
    }
    if (common > 0)
        common = not_options(environ);
    if (common > 0) {  /* the answer remembered for the Origin, with a tail fast_tail may append */
        PyObject *origin = PyDict_GetItemWithError(environ, s_http_origin);
        if (origin == NULL && PyErr_Occurred())
            goto done;
        entry = call_one(self->remembered, origin != NULL ? origin : Py_None);
        if (entry == NULL)
            goto done;
        common = PyTuple_CheckExact(entry) && PyTuple_GET_SIZE(entry) == 2 &&
                 PyTuple_CheckExact(PyTuple_GET_ITEM(entry, 1));
    }
    if (common > 0)
        result = respond(self, request, environ, entry);
    else if (common == 0)
        result = call_one(self->tween, request);
done:
    Py_XDECREF(entry);
    Py_DECREF(environ);
    return result;
}

static int
tween_traverse(Tween *self, visitproc visit, void *arg)
{
    Py_VISIT(self->handler);
    Py_VISIT(self->remembered);
    Py_VISIT(self->fast_tail);
    Py_VISIT(self->owner_key);
    Py_VISIT(self->headerlist);
    Py_VISIT(self->tween);
    Py_VISIT(self->finished);
    return 0;
}

static int
tween_clear(Tween *self)
{
    Py_CLEAR(self->handler);
    Py_CLEAR(self->remembered);
    Py_CLEAR(self->fast_tail);
    Py_CLEAR(self->owner_key);
    Py_CLEAR(self->headerlist);
    Py_CLEAR(self->tween);
    Py_CLEAR(self->finished);
    return 0;
}

static void
tween_dealloc(Tween *self)
{
    PyObject_GC_UnTrack(self);
    tween_clear(self);
    PyObject_GC_Del(self);
}

static PyTypeObject TweenType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pyramid_wsgicors._speedups.OnePolicyTween",
    .tp_doc = "the one-policy tween's actual-request path in C (pyramid_wsgicors._one_policy_tween)",
    .tp_basicsize = sizeof(Tween),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .tp_vectorcall_offset = offsetof(Tween, vectorcall),
    .tp_call = PyVectorcall_Call,
    .tp_traverse = (traverseproc)tween_traverse,
    .tp_clear = (inquiry)tween_clear,
    .tp_dealloc = (destructor)tween_dealloc,
};

/* one_policy_tween(handler, remembered, fast_tail, owner_key, headerlist, tween, finished) */
static PyObject *
one_policy_tween(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 7 || !PyUnicode_CheckExact(args[3])) {
        PyErr_SetString(PyExc_TypeError, "one_policy_tween(handler, remembered, fast_tail, owner_key: str, "
                        "headerlist, tween, finished)");
        return NULL;
    }
    Tween *self = PyObject_GC_New(Tween, &TweenType);
    if (self == NULL)
        return NULL;
    self->vectorcall = (vectorcallfunc)tween_call;
    PyObject **fields[] = {&self->handler, &self->remembered, &self->fast_tail, &self->owner_key,
                           &self->headerlist, &self->tween, &self->finished};
    for (int i = 0; i < 7; i++) {
        Py_INCREF(args[i]);
        *fields[i] = args[i];
    }
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

static PyMethodDef methods[] = {
    {"one_policy_tween", (PyCFunction)(void (*)(void))one_policy_tween, METH_FASTCALL,
     "one_policy_tween(handler, remembered, fast_tail, owner_key, headerlist, tween, finished): "
     "the one-policy tween's actual-request path in C"},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "pyramid_wsgicors._speedups",
    "the one-policy tween's actual-request path in C (optional; see pyramid_wsgicors._one_policy_tween)", -1,
    methods
};

static int
intern_names(void)
{
    struct { PyObject **slot; const char *text; } names[] = {
        {&s_environ, "environ"}, {&s_request_method, "REQUEST_METHOD"}, {&s_options, "OPTIONS"},
        {&s_http_origin, "HTTP_ORIGIN"}, {&s_headerlist, "headerlist"}, {&s_private_headerlist, "_headerlist"},
        {&s_headers_view, "_headers"}, {&s_response_callbacks, "response_callbacks"},
        {&s_finished_callbacks, "finished_callbacks"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (*names[i].slot == NULL && (*names[i].slot = PyUnicode_InternFromString(names[i].text)) == NULL)
            return -1;
    }
    return 0;
}

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&TweenType) < 0 || intern_names() < 0)
        return NULL;
    return PyModule_Create(&module_def);
}
