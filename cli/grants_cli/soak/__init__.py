"""`grants soak`: the whole platform as real processes under the fund's workload and seeded faults, then checks."""
