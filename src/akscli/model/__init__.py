"""Model serving: the catalog, GPU fit and cost plans, deploy objects per runtime, revisions and
the cluster reads behind `akscli model`. Plain logic: no Typer, no rich."""
