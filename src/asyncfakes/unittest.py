"""unittest support: :class:`VerifyFakesMixin` verifies every fake made during each test."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._registry import Scope, open_scope

if TYPE_CHECKING:
    import unittest

    _TestCase = unittest.TestCase
else:
    _TestCase = object

__all__ = ["VerifyFakesMixin"]

_HINT = (
    " (verified automatically when the test ended; where problems are the point of the test, "
    "set self.asyncfakes_verify = False in it, or asyncfakes_verify = False on the class)"
)


class VerifyFakesMixin(_TestCase):
    """Verify every fake made during each test when it ends, as the pytest plugin does.

    Put it first among the bases: ``class MyTest(VerifyFakesMixin, IsolatedAsyncioTestCase)``
    (a plain ``TestCase`` works too). Fakes made in ``setUp``, ``asyncSetUp``, the test and its
    cleanups are verified after ``asyncTearDown``, ``tearDown`` and every other cleanup have run,
    and all their reports make one failure, unless the test already failed. Fakes made in
    ``setUpClass`` are not verified by it. No ``super()`` call is needed in your own ``setUp``.
    """

    asyncfakes_verify: bool = True
    """Set to ``False`` on the class, or on ``self`` inside a test, to leave its fakes unverified."""

    def run(self, result: unittest.TestResult | None = None) -> unittest.TestResult | None:
        """Run the test with a scope collecting the fakes made during it."""
        scope = open_scope()
        # The first cleanup registered runs last: after tearDown and the test's own cleanups.
        self.addCleanup(self._asyncfakes_verify, scope)
        try:
            return super().run(result)
        finally:
            scope.dismiss()  # a skipped test never ran its cleanups

    def _asyncfakes_verify(self, scope: Scope) -> None:
        outcome = getattr(self, "_outcome", None)
        result = getattr(outcome, "result", None)
        reported = [*getattr(result, "errors", ()), *getattr(result, "failures", ())]
        # Python 3.10 keeps a test's failures on the outcome until the cleanups have run.
        reported += [
            (test, info) for test, info in getattr(outcome, "errors", ()) if info is not None
        ]  # pragma: no branch
        failed = any(getattr(test, "test_case", test) is self for test, _ in reported)
        if failed or getattr(outcome, "expectedFailure", None) or not self.asyncfakes_verify:
            scope.dismiss()
        else:
            scope.verify("this test", _HINT)
