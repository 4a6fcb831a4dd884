# Sources of lib/manifest.
list(APPEND HASP_SOURCES
  manifest/alloc.c
  manifest/classify.c
  manifest/hls.c
  manifest/hls_live.c
  manifest/hls_lex.c
  manifest/hls_master.c
  manifest/hls_media.c
  manifest/load.c
  manifest/model.c
  manifest/mpd.c
  manifest/mpd_adapt.c
  manifest/mpd_live.c
  manifest/mpd_seg.c
  manifest/mpd_xml.c
  manifest/probe.c
  manifest/segments.c
  manifest/sidx.c
  manifest/template.c
  manifest/url.c
  manifest/values.c)
