"""The layout explorer (可视化地理信息系统): an offline static site over the database and the run folders.

``iplayout explore`` (:mod:`.cli`) → :func:`.site.build_site`; see docs/explore.md. A leaf at the reporting
level: only ``iplayout.cli`` imports it.
"""
