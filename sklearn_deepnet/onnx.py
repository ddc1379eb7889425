"""ONNX export: converters that let ``skl2onnx`` translate our fitted estimators into ONNX graphs.

Importing this module registers a shape calculator and a converter for every public
``sklearn_deepnet`` estimator with ``skl2onnx`` (:func:`register` does it again, for instance after
another library replaced them). Then ``skl2onnx.to_onnx`` converts the estimators, alone or inside
a :class:`~sklearn.pipeline.Pipeline`, like any scikit-learn model::

    import numpy as np
    import sklearn_deepnet.onnx  # registers the converters
    from skl2onnx import to_onnx

    onx = to_onnx(clf, X[:1].astype(np.float32), options={"zipmap": False})

The graph repeats the network's forward pass, ``Z = A_prev @ W + b`` then the hidden activation,
which each activation class writes as ONNX operators itself (its ``to_onnx``: ``Sigmoid``,
``Tanh``, ``Relu``, ``Max(Z, negative_slope * Z)`` for leaky ReLU, ``Erf`` for GELU, ...),
computed in the input's precision (float32 or float64). Batch normalization at prediction time is
an affine map per unit, ``Z * scale + shift`` with ``scale = gamma / sqrt(running_var + eps)`` and
``shift = beta - running_mean * scale``: it is folded into the layer's weights and bias,
``W' = W * scale`` and ``b' = b * scale + shift``, so a normalized layer exports as a plain
``MatMul`` and ``Add``. A classifier has two outputs, as every
scikit-learn classifier converted by ``skl2onnx``:

- ``label``: ``classes_[argmax(Z)]`` for a softmax output, ``classes_[Z > 0]`` for a single
  sigmoid unit (both from the logits, exactly as :meth:`predict` decides), integers or strings
  like ``classes_``; for multilabel targets a 0/1 ``int64`` indicator matrix;
- ``probabilities``: ``[sigmoid(-z), sigmoid(z)]``, ``softmax(Z)`` or one sigmoid per label, as
  :meth:`predict_proba`.

The classifier options of ``skl2onnx`` apply: ``zipmap`` (``True``: probabilities as a list of
dictionaries, the default; ``False``: a matrix; ``'columns'``), ``nocl`` (class indices instead of
labels) and ``output_class_labels``. ONNX's ``ZipMap`` takes float32 only: with float64 input pass
``zipmap=False``. A regressor's single output ``variable`` holds the predictions (the logits, or
their ``Exp`` for ``loss='poisson'``), of shape ``(n_samples, n_outputs)``.

Requires the ``onnx`` extra: ``pip install "sklearn_deepnet[onnx]"``.
"""

import numpy as np
from sklearn.base import is_regressor

try:
    from onnx import TensorProto
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        StringTensorType,
    )
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "sklearn_deepnet.onnx needs the packages skl2onnx and onnx, which the 'onnx' extra "
        'installs: pip install "sklearn_deepnet[onnx]" (add onnxruntime to run the models).'
    ) from exc

from ._architecture import activation as _activation

__all__ = ["register"]

_CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "nocl": [False, True],
    "output_class_labels": [False, True],
}


def _estimator_classes():
    """The public estimator classes of the package (a regressor too once it exists)."""
    import sklearn_deepnet

    names = ("DeepNetClassifier", "LogisticRegressionGD", "DeepNetRegressor")
    return [getattr(sklearn_deepnet, name) for name in names if hasattr(sklearn_deepnet, name)]


def _compute_type(input_type, model):
    """The tensor type computations run in: float64 for float64 input, float32 otherwise."""
    if isinstance(input_type, DoubleTensorType):
        return DoubleTensorType, np.float64, TensorProto.DOUBLE
    if isinstance(input_type, FloatTensorType):
        return FloatTensorType, np.float32, TensorProto.FLOAT
    raise TypeError(
        f"{type(model).__name__} converts float32 or float64 input, got "
        f"{type(input_type).__name__}. Give skl2onnx.to_onnx a float array as the sample input, "
        "for example X[:1].astype(np.float32)."
    )


def _is_multilabel(model):
    return model._label_binarizer.y_type_ == "multilabel-indicator"


def _class_labels(model, nocl):
    """``classes_`` as an ONNX tensor type and its values: int64 for numbers, string for text.

    scikit-learn accepts float labels only when they are integers (others are "continuous"
    targets), so numeric labels are exactly representable as int64.
    """
    classes = np.asarray(model.classes_)
    if nocl:
        return TensorProto.INT64, np.arange(classes.size, dtype=np.int64)
    if classes.dtype == np.bool_ or np.issubdtype(classes.dtype, np.number):
        return TensorProto.INT64, classes.astype(np.int64)
    return TensorProto.STRING, np.array([str(c).encode("utf-8") for c in classes.tolist()])


# -- shape calculators -------------------------------------------------------------------------


def _classifier_shapes(operator):
    """Declare the label and probability outputs of a classifier."""
    model = operator.raw_operator
    if len(model.classes_) == 1:
        raise ValueError(
            f"This {type(model).__name__} was fitted on a single class "
            f"({model.classes_[0]!r}): it predicts that class with probability 1 whatever the "
            "input, which needs no network to export. Fit it on at least 2 classes."
        )
    tensor_type, _, _ = _compute_type(operator.inputs[0].type, model)
    n_rows = operator.inputs[0].get_first_dimension()
    n_classes = len(model.classes_)
    if _is_multilabel(model):
        operator.outputs[0].type = Int64TensorType([n_rows, n_classes])
    else:
        nocl = operator.scope_inst.get_options(model, dict(nocl=False))["nocl"]
        label_type, _ = _class_labels(model, nocl)
        label_cls = StringTensorType if label_type == TensorProto.STRING else Int64TensorType
        operator.outputs[0].type = label_cls([n_rows])
    operator.outputs[1].type = tensor_type([n_rows, n_classes])


def _regressor_shapes(operator):
    """Declare the prediction output of a regressor."""
    model = operator.raw_operator
    tensor_type, _, _ = _compute_type(operator.inputs[0].type, model)
    n_rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type = tensor_type([n_rows, model.n_outputs_])


# -- converters --------------------------------------------------------------------------------


class _GraphBuilder:
    """Adds nodes and constants to the skl2onnx container under unique names."""

    def __init__(self, scope, container, dtype, proto_dtype):
        self.scope = scope
        self.container = container
        self.dtype = dtype
        self.proto_dtype = proto_dtype

    def constant(self, hint, values, proto_dtype=None):
        """Add an initializer and return its name (float values in the compute precision)."""
        name = self.scope.get_unique_variable_name(hint)
        values = np.asarray(values)
        if proto_dtype is None:
            proto_dtype, values = self.proto_dtype, values.astype(self.dtype)
        content = values.ravel().tolist() if proto_dtype == TensorProto.STRING else values.ravel()
        self.container.add_initializer(name, proto_dtype, list(values.shape), content)
        return name

    def node(self, op_type, inputs, output=None, **attrs):
        """Add a node and return the name of its (single) output."""
        output = output or self.scope.get_unique_variable_name(op_type.lower())
        self.container.add_node(
            op_type,
            inputs,
            output,
            name=self.scope.get_unique_operator_name(op_type),
            **attrs,
        )
        return output


class _ActivationGraph:
    """The small graph interface an activation's ``to_onnx`` writes through."""

    def __init__(self, builder):
        self.builder = builder

    def op(self, op_type, *inputs, **attrs):
        """Add a node ``op_type(*inputs)`` and return its output's name."""
        return self.builder.node(op_type, list(inputs), **attrs)

    def float32_op(self, op_type, *inputs):
        """``op_type(*inputs)`` computed in float32, for operators onnxruntime has no float64
        kernel of (``Erf``); the result is cast back to the graph's precision."""
        if self.builder.proto_dtype == TensorProto.FLOAT:
            return self.op(op_type, *inputs)
        single = [self.op("Cast", name, to=TensorProto.FLOAT) for name in inputs]
        return self.op("Cast", self.op(op_type, *single), to=self.builder.proto_dtype)

    def constant(self, value):
        """Add a scalar constant in the compute precision and return its name."""
        return self.builder.constant("activation_constant", np.array(value))


def _folded_layers(model):
    """Each layer's ``(W, b)`` as NumPy arrays, batch normalization folded into them.

    A model fitted on a GPU exports from the CPU. The folding is computed in float64 whatever
    the model's precision.
    """
    network = model._fitted_network().to_numpy(np.float64)
    layers = []
    for layer, (W, b) in enumerate(zip(network.coefs, network.intercepts, strict=True)):
        if network.running is not None and layer < network.n_layers - 1:
            scale, shift = network.normalization_affine(layer)
            W, b = W * scale, b * scale + shift
        layers.append((W, b))
    return layers


def _logits(builder, model, input_name):
    """The forward pass: the output layer's logits, shape (n_samples, n_outputs)."""
    activation, graph = _activation(model), _ActivationGraph(builder)
    A = input_name
    layers = _folded_layers(model)
    for layer, (W, b) in enumerate(layers):
        Z = builder.node("MatMul", [A, builder.constant("coefficient", W)])
        Z = builder.node("Add", [Z, builder.constant("intercept", b)])
        A = Z if layer == len(layers) - 1 else activation.to_onnx(graph, Z)
    return A


def _convert_classifier(scope, operator, container):
    """Write the classifier's graph: label and probabilities from the logits."""
    model = operator.raw_operator
    _, dtype, proto_dtype = _compute_type(operator.inputs[0].type, model)
    builder = _GraphBuilder(scope, container, dtype, proto_dtype)
    Z = _logits(builder, model, operator.inputs[0].full_name)
    label_out, proba_out = operator.outputs[0].full_name, operator.outputs[1].full_name
    if _is_multilabel(model):
        builder.node("Sigmoid", [Z], proba_out)
        positive = builder.node("Greater", [Z, builder.constant("zero", np.zeros(1))])
        builder.node("Cast", [positive], label_out, to=TensorProto.INT64)
        return
    nocl = container.get_options(model, dict(nocl=False))["nocl"]
    label_type, labels = _class_labels(model, nocl)
    classes = builder.constant("classes", labels, proto_dtype=label_type)
    if model.out_activation_ == "softmax":
        builder.node("Softmax", [Z], proba_out, axis=1)
        index = builder.node("ArgMax", [Z], axis=1, keepdims=0)
    else:  # one sigmoid unit: P(classes_[1]) = sigmoid(z), P(classes_[0]) = sigmoid(-z)
        negative = builder.node("Sigmoid", [builder.node("Neg", [Z])])
        positive = builder.node("Sigmoid", [Z])
        builder.node("Concat", [negative, positive], proba_out, axis=1)
        zero = builder.constant("zero", np.zeros(1))
        above = builder.node("Cast", [builder.node("Greater", [Z, zero])], to=TensorProto.INT64)
        flat = builder.constant("flat", np.array([-1], dtype=np.int64), TensorProto.INT64)
        index = builder.node("Reshape", [above, flat])
    builder.node("Gather", [classes, index], label_out, axis=0)


def _convert_regressor(scope, operator, container):
    """Write the regressor's graph: the output layer's logits (``exp`` of them for Poisson)."""
    model = operator.raw_operator
    _, dtype, proto_dtype = _compute_type(operator.inputs[0].type, model)
    builder = _GraphBuilder(scope, container, dtype, proto_dtype)
    Z = _logits(builder, model, operator.inputs[0].full_name)
    output_ops = {"identity": "Identity", "exp": "Exp"}
    if model.out_activation_ not in output_ops:
        raise ValueError(
            f"No ONNX operator for the output {model.out_activation_!r}; supported: "
            f"{sorted(output_ops)}."
        )
    builder.node(output_ops[model.out_activation_], [Z], operator.outputs[0].full_name)


def register():
    """Register the ONNX converters of the ``sklearn_deepnet`` estimators with ``skl2onnx``.

    Importing :mod:`sklearn_deepnet.onnx` calls it once; calling it again is harmless.

    Returns
    -------
    registered : list of type
        The estimator classes ``skl2onnx.to_onnx`` can now convert.
    """
    registered = []
    for cls in _estimator_classes():
        alias = f"SklearnDeepnet{cls.__name__}"
        if is_regressor(cls()):
            update_registered_converter(cls, alias, _regressor_shapes, _convert_regressor)
        else:
            update_registered_converter(
                cls, alias, _classifier_shapes, _convert_classifier, options=_CLASSIFIER_OPTIONS
            )
        registered.append(cls)
    return registered


register()
