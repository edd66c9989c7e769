package io.saferollout.operator.validation;

import io.saferollout.api.Adoption;
import io.saferollout.api.OnDelete;
import io.saferollout.api.TargetRef;
import io.saferollout.rules.HardeningPolicy;

/** A SafeRollout spec after parsing: every field valid and every default filled in. */
public record SafeRolloutPolicy(
    TargetRef target,
    HardeningPolicy hardening,
    Adoption adoption,
    OnDelete onDelete,
    PreStopPolicy preStop) {}
