"""Interim: the 0-1 programme through HiGHS directly (replaced by the full solver)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Problem:
    value: np.ndarray
    weights: np.ndarray
    limits: np.ndarray
    requires: tuple = ()
    groups: tuple = ()
    forced_in: np.ndarray | None = None
    forced_out: np.ndarray | None = None


@dataclass(frozen=True)
class Solution:
    chosen: np.ndarray
    value: float
    bound: float
    proven: bool
    work: int = 0


def solve(problem: Problem, work: int = 0, start=None) -> Solution:
    from scipy.optimize import Bounds, LinearConstraint, milp

    v = np.asarray(problem.value, float)
    n = v.size
    lower, upper = np.zeros(n), np.ones(n)
    if problem.forced_in is not None:
        lower[problem.forced_in] = 1
    if problem.forced_out is not None:
        upper[problem.forced_out] = 0
    rows, ub = [], []
    for w, limit in zip(problem.weights, problem.limits):
        if np.isfinite(limit):
            rows.append(w)
            ub.append(limit * (1 + 1e-9))
    for i, j in problem.requires:
        row = np.zeros(n)
        row[i], row[j] = 1, -1
        rows.append(row)
        ub.append(0)
    for g in problem.groups:
        row = np.zeros(n)
        row[list(g)] = 1
        rows.append(row)
        ub.append(1)
    constraints = [LinearConstraint(np.array(rows), -np.inf, np.array(ub))] if rows else []
    if n == 0:
        return Solution(np.zeros(0, bool), 0.0, 0.0, True)
    result = milp(-v, integrality=np.ones(n), bounds=Bounds(lower, upper), constraints=constraints,
                  options={"mip_rel_gap": 0})
    chosen = result.x > 0.5
    # prune value <= 0 not forced and not required by a chosen one
    while True:
        required = set()
        for i, j in problem.requires:
            if chosen[i]:
                required.add(j)
        drop = [k for k in np.flatnonzero(chosen) if v[k] <= 0 and k not in required
                and not (problem.forced_in is not None and problem.forced_in[k])]
        if not drop:
            break
        chosen[drop] = False
    total = float(v[chosen].sum())
    return Solution(chosen, total, total, True)
