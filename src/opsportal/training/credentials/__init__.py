"""Open Badges 3.0 credentials for certificates: signing keys, VC-JWTs, Bitstring Status Lists."""
