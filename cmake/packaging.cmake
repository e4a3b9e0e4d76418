# A Debian package of the daemon, the ctl, the unit and the default config:
#   cmake --build build --target package   (or: cd build && cpack -G DEB)
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "asncounter")
set(CPACK_PACKAGE_CONTACT "asncounter developers <asncounter@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "count hits and bytes per autonomous system and routed prefix")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# Library dependencies are read off the binaries (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/systemd/debian/postinst;${PROJECT_SOURCE_DIR}/systemd/debian/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
include(CPack)
