"""The estimators' training loop: the loop itself and the components it runs after each epoch.

- :mod:`.loop`: :class:`~.loop.TrainingLoop`, one call of ``fit`` or ``partial_fit``, epoch by
  epoch, as the solver drives it;
- :mod:`.record`: the fitted training record (``n_iter_``, ``t_``, ``loss_curve_``, ...);
- :mod:`.divergence`: the divergence guard;
- :mod:`.validation`: the validation set, its split and its score;
- :mod:`.schedules`: the learning-rate schedules, one table;
- :mod:`.stopping`: when to stop, and early stopping's best weights;
- :mod:`.progress`: ``verbose`` lines.
"""
