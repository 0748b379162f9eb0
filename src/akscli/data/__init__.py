"""akscli's data: the YAML sources and the modules generated from them (akscli.datafiles)."""
