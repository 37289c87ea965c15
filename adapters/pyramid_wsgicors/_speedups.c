/*
 * pyramid_wsgicors._speedups: the one-policy tween's actual-request path in C, for speed only.
 *
 * pyramid_wsgicors/__init__.py's _one_policy_tween is the reference and the
 * fallback. This type takes the steps of its Python tween in the same order,
 * reading each thing once (request.environ, the environ's keys, the Origin),
 * with the same operations (dict look-ups for an exact dict, the `in` operator,
 * .get() and == otherwise), and calls the same Python pieces where the Python
 * tween calls them: preflight() for an OPTIONS request, PolicyState.actual for
 * an Origin not remembered, finished() for a response it does not decorate
 * itself. It decorates itself the common response: a WebOb Response (its type's
 * headerlist is WebOb's property) whose header names the core's fast_tail
 * knows, with no response or finished callback queued.
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
#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *Py_NewRef(PyObject *object) { Py_INCREF(object); return object; }  /* 3.10+ */
#endif

/* interned at import: the attribute and environ key names the Python tween spells */
static PyObject *s_environ, *s_request_method, *s_options, *s_http_origin, *s_get, *s_dict, *s_headerlist,
    *s_private_headerlist, *s_headers_view, *s_response_callbacks, *s_finished_callbacks;

typedef struct {
    PyObject_HEAD
    vectorcallfunc vectorcall;
    PyObject *handler;     /* the tween (or view handler) below this one */
    PyObject *state;       /* the PolicyState, set under OWNER_KEY */
    PyObject *remembered;  /* PolicyState.remembered: the remembered (added, tail) for an Origin, or None */
    PyObject *actual;      /* PolicyState.actual(origin, environ): the (added, tail) decided */
    PyObject *fast_tail;   /* PolicyState.fast_tail(headers, tail): headers + tail, or None */
    PyObject *owner_key;   /* wsgicors.middleware.OWNER_KEY */
    PyObject *headerlist;  /* webob.response.Response.headerlist, the property */
    PyObject *tween;       /* the Python tween: a call of another shape (keywords, not one argument) */
    PyObject *preflight;   /* preflight(request, environ): the Response answering a preflight, or None */
    PyObject *finished;    /* the general path after the handler: finished(request, response, environ, entry) */
    PyObject *weakrefs;
} Tween;

static PyObject *
call(PyObject *callable, PyObject *first, PyObject *second)
{
    PyObject *args[2] = {first, second};
    return PyObject_Vectorcall(callable, args, second != NULL ? 2 : 1, NULL);
}

/* `key in mapping`: dict's own look-up for an exact dict, the `in` operator otherwise */
static int
contains(PyObject *mapping, PyObject *key)
{
    return PyDict_CheckExact(mapping) ? PyDict_Contains(mapping, key) : PySequence_Contains(mapping, key);
}

/* environ.get(key): a new reference (None when absent), NULL on error */
static PyObject *
environ_get(PyObject *environ, PyObject *key)
{
    if (!PyDict_CheckExact(environ))
        return PyObject_CallMethodObjArgs(environ, s_get, key, NULL);
    PyObject *value = PyDict_GetItemWithError(environ, key);
    if (value == NULL)
        return PyErr_Occurred() ? NULL : Py_NewRef(Py_None);
    return Py_NewRef(value);
}

/* `value == text` in an if statement: 1, 0, or -1 on error */
static int
equals(PyObject *value, PyObject *text)
{
    if (PyUnicode_CheckExact(value))
        return PyUnicode_Compare(value, text) == 0;
    PyObject *result = PyObject_RichCompare(value, text, Py_EQ);
    if (result == NULL)
        return -1;
    int truth = PyObject_IsTrue(result);
    Py_DECREF(result);
    return truth;
}

/* `found is WEBOB_HEADERLIST` for getattr's answer `found` (a new reference, or NULL with an
 * exception set, which getattr's default turns into None when it is an AttributeError): 1, 0, or -1 */
static int
is_webob_headerlist(Tween *self, PyObject *found)
{
    if (found == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_AttributeError))
            return -1;
        PyErr_Clear();
        return 0;
    }
    Py_DECREF(found);
    return found == self->headerlist;
}

/* getattr(type(response), "headerlist", None) is WEBOB_HEADERLIST: 1, 0, or -1 on error */
static int
webob_headerlist(Tween *self, PyObject *response)
{
    PyTypeObject *type = Py_TYPE(response);
    if (Py_TYPE(type) != &PyType_Type)  /* a metatype may define what getattr on the class finds */
        return is_webob_headerlist(self, PyObject_GetAttr((PyObject *)type, s_headerlist));
    /* getattr on a class whose metatype is type (type_getattro): type itself has no attribute
     * "headerlist", so the class's own, through its __get__ on no instance (a property's is itself) */
    PyObject *found = _PyType_Lookup(type, s_headerlist);
    if (found == NULL || found == self->headerlist)
        return found != NULL;
    descrgetfunc get = Py_TYPE(found)->tp_descr_get;
    if (get == NULL)
        return 0;
    Py_INCREF(found);  /* the class's dict may drop it while __get__ runs */
    PyObject *value = get(found, NULL, (PyObject *)type);
    Py_DECREF(found);
    return is_webob_headerlist(self, value);
}

/* 1 when response is decorated in place (the common course); 0 when `finished` must take it;
 * -1 on error (as the Python tween would raise it). *attrs: request.__dict__ once read, which
 * the caller keeps as long as the Python tween keeps its local variable */
static int
decorate_now(Tween *self, PyObject *request, PyObject *response, PyObject *tail, PyObject **attrs)
{
    int webob = webob_headerlist(self, response);
    if (webob <= 0)
        return webob;
    *attrs = PyObject_GetAttr(request, s_dict);  /* request.__dict__ */
    if (*attrs == NULL)
        return -1;
    int queued = contains(*attrs, s_response_callbacks);
    if (queued == 0)
        queued = contains(*attrs, s_finished_callbacks);
    if (queued != 0)
        return queued < 0 ? -1 : 0;
    PyObject *headers = PyObject_GetAttr(response, s_private_headerlist);
    if (headers == NULL)
        return -1;
    PyObject *fast = call(self->fast_tail, headers, tail);
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

/* entry[1]: a new reference, NULL on error */
static PyObject *
second_item(PyObject *entry)
{
    if (!PyTuple_CheckExact(entry))
        return PySequence_GetItem(entry, 1);
    if (PyTuple_GET_SIZE(entry) < 2) {
        PyErr_SetString(PyExc_IndexError, "tuple index out of range");
        return NULL;
    }
    return Py_NewRef(PyTuple_GET_ITEM(entry, 1));
}

/* remembered(origin) or actual(origin, environ): a new reference, NULL on error */
static PyObject *
answer_for(Tween *self, PyObject *origin, PyObject *environ)
{
    PyObject *entry = call(self->remembered, origin, NULL);
    if (entry == NULL)
        return NULL;
    int truth = PyObject_IsTrue(entry);
    if (truth > 0)
        return entry;
    Py_DECREF(entry);
    return truth < 0 ? NULL : call(self->actual, origin, environ);
}

/* An actual request, from the Origin on: its answer, the handler's response, decorated. What the
 * Python tween holds in local variables (origin, entry, request.__dict__) is held to the end */
static PyObject *
respond(Tween *self, PyObject *request, PyObject *environ)
{
    PyObject *origin = environ_get(environ, s_http_origin);
    if (origin == NULL)
        return NULL;
    PyObject *entry = answer_for(self, origin, environ), *response = NULL, *tail = NULL, *attrs = NULL;
    if (entry == NULL)
        goto done;
    response = call(self->handler, request, NULL);
    if (response == NULL)
        goto done;
    tail = second_item(entry);  /* PolicyState's (added, tail); tail None: no fast tail */
    int decorated = tail == NULL ? -1 : tail == Py_None ? 0 : decorate_now(self, request, response, tail, &attrs);
    if (decorated == 0) {
        PyObject *args[4] = {request, response, environ, entry};
        Py_SETREF(response, PyObject_Vectorcall(self->finished, args, 4, NULL));
    } else if (decorated < 0) {
        Py_CLEAR(response);
    }
done:
    Py_XDECREF(attrs);
    Py_XDECREF(tail);
    Py_XDECREF(entry);
    Py_DECREF(origin);
    return response;
}

/* The Python tween's steps, in order, each read once; the Python code where they are not C's */
static PyObject *
tween_call(Tween *self, PyObject *const *args, size_t nargsf, PyObject *kwnames)
{
    if (PyVectorcall_NARGS(nargsf) != 1 || (kwnames != NULL && PyTuple_GET_SIZE(kwnames)))
        return PyObject_Vectorcall(self->tween, args, nargsf, kwnames);
    /* as the Python tween's frame: each call counts against the recursion limit (a handler, or any
     * Python code this calls, may call the tween again) */
    if (Py_EnterRecursiveCall(" in the pyramid_wsgicors tween") != 0)
        return NULL;
    PyObject *request = args[0], *result = NULL;
    PyObject *environ = PyObject_GetAttr(request, s_environ);
    if (environ == NULL)
        goto leave;
    int owned = contains(environ, self->owner_key);  /* a layer around this app set it: this app decides */
    if (owned > 0 && PyObject_SetItem(environ, self->owner_key, self->state) < 0)
        goto done;
    if (owned < 0)
        goto done;
    PyObject *method = environ_get(environ, s_request_method);
    if (method == NULL)
        goto done;
    int options = equals(method, s_options);
    Py_DECREF(method);
    if (options < 0)
        goto done;
    if (options) {
        result = call(self->preflight, request, environ);
        if (result != Py_None)  /* answered (or an error) */
            goto done;
        Py_CLEAR(result);  /* an OPTIONS request that is no preflight: an actual request */
    }
    result = respond(self, request, environ);
done:
    Py_DECREF(environ);
leave:
    Py_LeaveRecursiveCall();
    return result;
}

static int
tween_traverse(Tween *self, visitproc visit, void *arg)
{
    Py_VISIT(self->handler);
    Py_VISIT(self->state);
    Py_VISIT(self->remembered);
    Py_VISIT(self->actual);
    Py_VISIT(self->fast_tail);
    Py_VISIT(self->owner_key);
    Py_VISIT(self->headerlist);
    Py_VISIT(self->tween);
    Py_VISIT(self->preflight);
    Py_VISIT(self->finished);
    return 0;
}

static int
tween_clear(Tween *self)
{
    Py_CLEAR(self->handler);
    Py_CLEAR(self->state);
    Py_CLEAR(self->remembered);
    Py_CLEAR(self->actual);
    Py_CLEAR(self->fast_tail);
    Py_CLEAR(self->owner_key);
    Py_CLEAR(self->headerlist);
    Py_CLEAR(self->tween);
    Py_CLEAR(self->preflight);
    Py_CLEAR(self->finished);
    return 0;
}

static void
tween_dealloc(Tween *self)
{
    PyObject_GC_UnTrack(self);
    if (self->weakrefs != NULL)
        PyObject_ClearWeakRefs((PyObject *)self);
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
    .tp_weaklistoffset = offsetof(Tween, weakrefs),
};

/* one_policy_tween(handler, state, remembered, actual, fast_tail, owner_key, headerlist, tween, preflight,
 *                  finished) */
static PyObject *
one_policy_tween(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 10 || !PyUnicode_CheckExact(args[5])) {
        PyErr_SetString(PyExc_TypeError, "one_policy_tween(handler, state, remembered, actual, fast_tail, "
                        "owner_key: str, headerlist, tween, preflight, finished)");
        return NULL;
    }
    Tween *self = PyObject_GC_New(Tween, &TweenType);
    if (self == NULL)
        return NULL;
    self->vectorcall = (vectorcallfunc)tween_call;
    self->weakrefs = NULL;
    PyObject **fields[] = {&self->handler, &self->state, &self->remembered, &self->actual, &self->fast_tail,
                           &self->owner_key, &self->headerlist, &self->tween, &self->preflight, &self->finished};
    for (int i = 0; i < 10; i++)
        *fields[i] = Py_NewRef(args[i]);
    PyObject_GC_Track(self);
    return (PyObject *)self;
}

static PyMethodDef methods[] = {
    {"one_policy_tween", (PyCFunction)(void (*)(void))one_policy_tween, METH_FASTCALL,
     "one_policy_tween(handler, state, remembered, actual, fast_tail, owner_key, headerlist, tween, preflight, "
     "finished): "
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
        {&s_http_origin, "HTTP_ORIGIN"}, {&s_get, "get"}, {&s_dict, "__dict__"}, {&s_headerlist, "headerlist"}, {&s_private_headerlist, "_headerlist"},
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
