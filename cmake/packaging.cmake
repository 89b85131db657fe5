# Install layout and release packages (CPack): one .tar.gz and one .deb per
# architecture, the static binary and nothing it needs on the target.
#
#   cmake --build build --target package   this build's architecture
#   cmake --build build --target release   x86_64 and aarch64 (an x86_64
#       build drives an aarch64 one with cmake/aarch64-linux-gnu.cmake, in
#       TCPTRACE_AARCH64_BUILD), both into build/release/
#
# Installed: sbin/tcptrace and its applet symlinks; man pages (gzipped);
# bash completion for tcptrace and every applet (written by the binary,
# through CMAKE_CROSSCOMPILING_EMULATOR when cross-compiling); the docs.

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|amd64")
	set(TT_ARCH x86_64)
	set(TT_DEB_ARCH amd64)
else()
	set(TT_ARCH aarch64)
	set(TT_DEB_ARCH arm64)
endif()

# The completion script, from the binary's own option tables.
if(CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
	message(FATAL_ERROR "cross-compiling for ${TT_ARCH} needs an emulator to write the bash "
		"completion: apt-get install qemu-user-static (or set CMAKE_CROSSCOMPILING_EMULATOR)")
endif()
set(TT_COMPLETION ${CMAKE_BINARY_DIR}/completion/tcptrace)
add_custom_command(OUTPUT ${TT_COMPLETION}
	COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/completion
	COMMAND ${CMAKE_COMMAND} -DOUT=${TT_COMPLETION}
		"-DCMD=${CMAKE_CROSSCOMPILING_EMULATOR};$<TARGET_FILE:tcptrace>;--completion;bash"
		-P ${CMAKE_SOURCE_DIR}/cmake/run-to-file.cmake
	DEPENDS tcptrace
	COMMENT "bash completion"
	VERBATIM)

# Man pages, gzipped as Debian ships them (-n: no name or time stamp).
find_program(GZIP gzip REQUIRED)
set(TT_MAN_PAGES tcptrace.8)
foreach(applet IN LISTS TT_APPLETS)
	list(APPEND TT_MAN_PAGES ${applet}.8)
endforeach()
set(TT_MAN_GZ)
foreach(page IN LISTS TT_MAN_PAGES)
	set(gz ${CMAKE_BINARY_DIR}/man/${page}.gz)
	add_custom_command(OUTPUT ${gz}
		COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
		COMMAND ${CMAKE_COMMAND} -DOUT=${gz} "-DCMD=${GZIP};-9nc;${CMAKE_SOURCE_DIR}/docs/${page}"
			-P ${CMAKE_SOURCE_DIR}/cmake/run-to-file.cmake
		DEPENDS ${CMAKE_SOURCE_DIR}/docs/${page}
		VERBATIM)
	list(APPEND TT_MAN_GZ ${gz})
endforeach()
add_custom_target(dist-files ALL DEPENDS ${TT_COMPLETION} ${TT_MAN_GZ})

include(GNUInstallDirs)
install(TARGETS tcptrace RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
set(TT_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${TT_COMPLETION} DESTINATION ${TT_COMPLETION_DIR})
install(FILES ${TT_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man8)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/json.md
	${CMAKE_SOURCE_DIR}/docs/kernels.md ${CMAKE_SOURCE_DIR}/docs/performance.md
	DESTINATION ${CMAKE_INSTALL_DOCDIR})
# Applet symlinks next to the binary, and completions by the applets' names
# (bash-completion loads a command's file by its name).
foreach(applet IN LISTS TT_APPLETS)
	install(CODE "
		foreach(dir \"${CMAKE_INSTALL_SBINDIR}\" \"${TT_COMPLETION_DIR}\")
			set(link \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/\${dir}/${applet}\")
			message(STATUS \"Installing: \${link} -> tcptrace\")
			file(CREATE_LINK tcptrace \"\${link}\" SYMBOLIC)
		endforeach()")
endforeach()

set(CPACK_PACKAGE_NAME tcptrace)
set(CPACK_PACKAGE_VENDOR tcptrace)
set(CPACK_PACKAGE_CONTACT "tcptrace maintainers <tcptrace@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
	"Trace TCP connections with eBPF: tcpaccept, tcpconnect, tcplife in one static binary")
set(CPACK_PACKAGE_DESCRIPTION "One statically linked executable that traces TCP with eBPF:
who accepted and who opened which connection, their outcome and latency,
and how long each session lived and how many bytes it moved: bcc's
tcpaccept, tcpconnect and tcplife with their options and columns, without
Python, a compiler or kernel headers on the host.")
set(CPACK_SYSTEM_NAME linux-${TT_ARCH})
set(CPACK_GENERATOR TGZ DEB)
set(CPACK_OUTPUT_FILE_PREFIX ${CMAKE_BINARY_DIR}/packages)
set(CPACK_STRIP_FILES ON)
# The archive unpacks into tcptrace-VERSION-linux-ARCH/ (sbin/, share/);
# the package installs under /usr (cmake/cpack-options.cmake).
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_SOURCE_DIR}/cmake/cpack-options.cmake)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${TT_DEB_ARCH})
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Statically linked: it depends on nothing.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
include(CPack)

# Both architectures' packages from an x86_64 build.
if(TT_ARCH STREQUAL x86_64 AND NOT CMAKE_CROSSCOMPILING)
	set(TCPTRACE_AARCH64_BUILD ${CMAKE_BINARY_DIR}/aarch64 CACHE PATH
		"Build tree of the aarch64 cross build that the release target uses (made if missing)")
	add_custom_target(release
		COMMAND ${CMAKE_CPACK_COMMAND} --config ${CMAKE_BINARY_DIR}/CPackConfig.cmake
		COMMAND ${CMAKE_COMMAND} -S ${CMAKE_SOURCE_DIR} -B ${TCPTRACE_AARCH64_BUILD}
			-DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/aarch64-linux-gnu.cmake
			-DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
		COMMAND ${CMAKE_COMMAND} --build ${TCPTRACE_AARCH64_BUILD} --target package
		COMMAND ${CMAKE_COMMAND} -E rm -rf ${CMAKE_BINARY_DIR}/release
		COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/release
		COMMAND ${CMAKE_COMMAND} -E copy_directory ${CMAKE_BINARY_DIR}/packages
			${TCPTRACE_AARCH64_BUILD}/packages ${CMAKE_BINARY_DIR}/release
		DEPENDS tcptrace dist-files
		COMMENT "packages for x86_64 and aarch64 in ${CMAKE_BINARY_DIR}/release"
		VERBATIM)
endif()
