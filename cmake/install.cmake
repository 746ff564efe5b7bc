# What `cmake --install BUILD [--prefix P]` puts where:
#   lib/libvas.a, include/vas/*.h, bin/vastrace,
#   lib/cmake/vas/ (find_package(vas) -> imported target vas::vas),
#   lib/pkgconfig/vas.pc (pkg-config --cflags --libs vas).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS vas EXPORT vasTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/impl/include/vas DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET vastrace)
  install(TARGETS vastrace RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

set(VAS_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vas)
install(EXPORT vasTargets NAMESPACE vas:: DESTINATION ${VAS_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/vasConfig.cmake.in
  ${PROJECT_BINARY_DIR}/vasConfig.cmake INSTALL_DESTINATION ${VAS_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/vasConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/vasConfig.cmake ${PROJECT_BINARY_DIR}/vasConfigVersion.cmake
        DESTINATION ${VAS_CMAKE_DIR})

configure_file(${CMAKE_CURRENT_LIST_DIR}/vas.pc.in ${PROJECT_BINARY_DIR}/vas.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/vas.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
