"""Resource allocation (资源配置): functional zones, the guidance catalogue and policy fit.

Pure computation on stage tables and the YAML rules in ``params/allocation/`` (this project's proposal,
labelled so in every report); the allocation stage (``iplayout.stages.allocation``) calls it.
"""
