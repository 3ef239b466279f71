"""Pure benefit calculations (no Django): rule parameters, careers, pensions, survivors, traces."""
