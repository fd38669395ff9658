"""The built-in algorithm containers the executor stands in for, run inside the job sandbox with
the image's own libraries (see ../images.py)."""
