"""jiedao: the governance platform of a Chinese sub-district office."""
