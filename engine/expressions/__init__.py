"""The engine's small, safe expression language (see ``docs/expressions.md``).

Conditions on sequence flows, multi-instance counts and completion conditions are
written in it, JUEL-style (``${amount > 10000 && dept == 'IT'}``) or Python-style
(``amount > 10000 and dept == 'IT'``). A hand-written tokenizer and Pratt parser build
a small syntax tree that is compiled into closures; nothing is handed to Python's
``eval``/``exec`` and data is read only through mapping keys and list indexes.

>>> compile_expression("${amount > 10000}").evaluate({"amount": 12000})
True
"""

from .expression import Expression, compile_expression, evaluate, names_used

__all__ = ["Expression", "compile_expression", "evaluate", "names_used"]
