"""The typing names the package uses, at no import cost.

Type checkers read the real `typing` and `collections.abc` names below. At run time the
package needs none of them but class subscription (`Field[T, T | None]`, `ListModel[Pod]`),
so it gets small stand-ins, and `from kubeapi.core_v1 import Pod` does not import `typing`
(which costs more than all of core_v1's models). `TYPE_CHECKING` is defined here rather than
imported for the same reason: mypy and pyright both treat the name as true.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable as Iterable
    from collections.abc import Iterator as Iterator
    from collections.abc import Mapping as Mapping
    from collections.abc import MutableMapping as MutableMapping
    from collections.abc import MutableSequence as MutableSequence
    from typing import Generic as Generic
    from typing import TypeVar as TypeVar
    from typing import cast as cast
    from typing import overload as overload
else:
    # The same classes; `collections.abc` would import all of `collections` to re-export them.
    from _collections_abc import Iterable, Iterator, Mapping, MutableMapping, MutableSequence

    class _Parameter:
        """A type variable's stand-in: it only has to survive `T | None` in a base class."""

        __slots__ = ()

        def __or__(self, other):
            return self

        __ror__ = __or__

    def TypeVar(name, *constraints, **options):
        return _Parameter()

    class Generic:
        """Subscription returns the class itself: the parameters matter only to checkers."""

        __slots__ = ()

        def __class_getitem__(cls, parameters):
            return cls

    def overload(function):
        return function  # the implementation defined after the overloads replaces it

    def cast(kind, value):
        return value


__all__ = [
    "TYPE_CHECKING",
    "Generic",
    "Iterable",
    "Iterator",
    "Mapping",
    "MutableMapping",
    "MutableSequence",
    "TypeVar",
    "cast",
    "overload",
]
