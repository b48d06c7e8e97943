#version 100
// One textured quad: positions already in clip space, texture
// coordinates chosen by the renderer (source rect, y0_top).
attribute vec2 pos;
attribute vec2 texcoord;
varying vec2 v_texcoord;

void main()
{
	v_texcoord = texcoord;
	gl_Position = vec4(pos, 0.0, 1.0);
}
