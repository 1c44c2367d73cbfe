"""Energy actions: system planning (linopy + HiGHS), rooftop PV (pvlib) and storage."""
