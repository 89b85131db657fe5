# cmake -DOUT=FILE -DCMD="prog;arg;..." -P run-to-file.cmake
# Runs CMD with its standard output to FILE (written to a temp name, then
# moved): a build step's output file without a shell redirection.
execute_process(COMMAND ${CMD} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
	file(REMOVE ${OUT}.tmp)
	message(FATAL_ERROR "${CMD}: ${rc}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
