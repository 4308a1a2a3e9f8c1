"""Ward-level need measures derived exactly (integer arithmetic) from the registry's weighted sums.

A ward's IMD decile is the decile of its population-weighted mean LSOA rank among all LSOAs of the vintage,
with the same formula the LSOA deciles use: decile = floor((rank - 1) * 10 / n) + 1, here with the exact
fractional mean rank S / P (S = sum of population x rank, P = population). A mostly-deprived ward with one
affluent LSOA can so land a decile above its majority decile; the mean-rank decile is what the IoD guidance
calls the "average rank" summary, and it is the one measure that uses every resident's LSOA.
"""


def mean_rank_decile(weighted_sum: int, population: int, lsoa_total: int) -> int:
    """Decile 1..10 of the mean rank S/P among `lsoa_total` ranks: floor(10 * (S - P) / (P * n)) + 1."""
    if population <= 0 or lsoa_total <= 0:
        raise ValueError("population and LSOA total must be positive")
    decile = (10 * (weighted_sum - population)) // (population * lsoa_total) + 1
    return min(10, max(1, decile))


def centi_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator in hundredths, rounded half to even (exact integers)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    quotient, remainder = divmod(numerator * 100, denominator)
    if 2 * remainder > denominator or (2 * remainder == denominator and quotient % 2 == 1):
        quotient += 1
    return quotient
